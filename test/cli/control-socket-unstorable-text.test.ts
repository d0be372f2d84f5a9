import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/load-config.ts';
import { startControlServer, type ControlServer } from '../../src/control/control-server.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

/** One control operation over the socket, as the CLI sends it: its NDJSON answer lines. */
function post(socketPath: string, path: string, body: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ socketPath, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => resolve(text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown)));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

// The CLI's channel to a running service stores what it is sent (an API key's name) too.
describe.each(testDatabaseKinds)('the control socket and text PostgreSQL cannot store, on %s', (kind) => {
  let t: TestApp;
  let control: ControlServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'recur-control-'));
  beforeAll(async () => {
    t = await startTestApp(kind);
    const settings = { ...t.ctx.config, RECUR_DATA_DIR: dataDir, DATABASE_URL: undefined, catalogueSource: 'test' } as Config;
    control = (await startControlServer(settings, t.ctx, createLogger('silent')))!;
  });
  afterAll(async () => {
    await control.close();
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses U+0000 in a key name with validation_failed, and creates no key', async () => {
    const before = (await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys')).rows[0]!.n;
    const answer = await post(control.path, '/keys/create', JSON.stringify({ name: 'webshop\u0000backend' }));
    expect(answer).toEqual([{ error: { code: 'validation_failed', message: 'name: contains U+0000, which cannot be stored' } }]);
    expect((await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys')).rows[0]!.n).toBe(before);
    expect(await post(control.path, '/keys/create', JSON.stringify({ name: 'webshop backend' }))).toEqual([{ result: expect.objectContaining({ name: 'webshop backend' }) }]);
  });
});
