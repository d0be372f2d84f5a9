import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../sandbox/core/start-sandbox.ts';
import { killSpawnedProcesses, runRecur } from '../fixtures/recur-process.ts';
import { startMessagingSandbox } from '../sandbox/messaging/support/messaging-kit.ts';

let root: string;
let sandbox: RunningSandbox;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'recur-deliver-'));
  sandbox = await startMessagingSandbox();
});
afterEach(() => killSpawnedProcesses());
afterAll(async () => {
  await sandbox.stop();
  rmSync(root, { recursive: true, force: true });
});

const dataDir = (name: string) => ({ RECUR_DATA_DIR: join(root, name) });

function sendgridEnv(): Record<string, string> {
  const { sendgrid } = sandbox.describe().providers as { sendgrid: { baseUrl: string; apiKey: string } };
  return { SENDGRID_API_KEY: sendgrid.apiKey, SENDGRID_FROM: 'recur <alerts@recur.test>', SENDGRID_API_BASE: sendgrid.baseUrl };
}

/** `recur notices deliver` (the pass itself is tested with two processes in test/notifications/). */
describe('recur notices deliver', () => {
  it('says nothing was due on an empty outbox, and exits 0', async () => {
    const run = await runRecur(['notices', 'deliver'], {
      cwd: root,
      env: { ...dataDir('empty'), ...sendgridEnv(), LINK_SIGNING_SECRET: 'the link-signing key of this test, 32+ characters', LOG_LEVEL: 'silent' },
    });
    expect([run.code, run.stdout, run.stderr]).toEqual([0, 'nothing was due\n', '']);
  }, 60_000);

  it('refuses with one line beside a real provider without LINK_SIGNING_SECRET (the key of the links it would send)', async () => {
    const run = await runRecur(['notices', 'deliver'], { cwd: root, env: { ...dataDir('no-link-key'), ...sendgridEnv(), LOG_LEVEL: 'silent' } });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/^recur: configuration error: LINK_SIGNING_SECRET: required with real provider keys .*\n$/);
  }, 60_000);

  it('refuses with one line when no provider is configured, and for a bad --max', async () => {
    const none = await runRecur(['notices', 'deliver'], { cwd: root, env: dataDir('none') });
    expect(none.code).toBe(78);
    expect(none.stderr).toMatch(/^recur: neither SendGrid nor Twilio is configured .*\n$/);
    const badMax = await runRecur(['notices', 'deliver', '--max', '0'], { cwd: root, env: dataDir('bad') });
    expect(badMax.code).toBe(64);
    expect(badMax.stderr).toBe('recur: --max: expected a whole number from 1 to 100000, got "0"\n');
  }, 60_000);
});
