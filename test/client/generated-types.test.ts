import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaTypesOf } from '../../packages/client/scripts/schema-types.ts';
import { RECUR_EVENT_TYPES } from '../../packages/client/src/events.ts';
import { OUTGOING_EVENT_TYPES } from '../../src/domain/outgoing-event-type.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { clientPackageDir, run } from './client-package.ts';

const HOW_TO_FIX = 'the typed client is behind the API: run `npm run generate -w @recur/client` and commit packages/client/src/schema.d.ts';
const committedTypes = () => readFile(join(clientPackageDir, 'src/schema.d.ts'), 'utf8');

/**
 * The client's types are generated from the API's OpenAPI document and committed; a route or a
 * schema changed without generating again fails here, with the command that fixes it.
 */
describe.each(testDatabaseKinds)('the typed client against the served OpenAPI document (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  it('commits the types of the document /openapi.json serves', async () => {
    const served = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(await schemaTypesOf(served), HOW_TO_FIX).toBe(await committedTypes());
  });
});

describe('npm run generate -w @recur/client', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recur-client-types-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes, without a database or a server, the types that are committed', async () => {
    const target = join(dir, 'schema.d.ts');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/generate-schema.ts', target], { cwd: clientPackageDir });
    expect(stdout).toContain(`wrote ${target}`);
    expect(await readFile(target, 'utf8'), HOW_TO_FIX).toBe(await committedTypes());
  }, 180_000);

  it('knows every event type recur sends', () => {
    expect([...RECUR_EVENT_TYPES]).toEqual([...OUTGOING_EVENT_TYPES]);
  });
});
