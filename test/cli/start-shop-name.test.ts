import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, runRecur, startRecur } from '../fixtures/recur-process.ts';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'recur-shop-name-'));
});
afterEach(() => killSpawnedProcesses());
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('recur start without a shop name', { timeout: 180_000 }, () => {
  it('on the sandbox: warns in the banner and in the log, here in readable lines (LOG_FORMAT=pretty)', async () => {
    const dataDir = join(root, 'sandboxed');
    const server = await startRecur({ cwd: root, env: { RECUR_DATA_DIR: dataDir, LOG_FORMAT: 'pretty', LOG_LEVEL: 'info' }, timeoutMs: 150_000 });
    const warning = 'no shop name set: notices are signed "recur"; set SHOP_NAME (or notices.shop_name in recur.config.json)';
    expect(server.stderr()).toContain(`\n  WARNING    ${warning}\nPress Ctrl-C to stop.\n`);
    await fetch(`${server.url}/healthz`);
    await fetch(`${server.url}/v1/plans`);
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    const lines = server.stdout().trimEnd().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d WARN {2}${warning.replace(/[().;]/g, '\\$&')} {2}setting=SHOP_NAME$`)));
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d INFO {2}recur started {2}url=http:\/\/127\.0\.0\.1:\d+$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d INFO {2}GET \/v1\/plans 401 \d+ ms {2}requestId=\S+$/));
    // No JSON, and the health check was not worth a line.
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    expect(server.stdout()).not.toContain('/healthz');
  });

  it('with SendGrid itself (real keys): refuses to start, one line, exit 78, nothing opened', async () => {
    const dataDir = join(root, 'real');
    const run = await runRecur(['start'], {
      cwd: root,
      env: { RECUR_DATA_DIR: dataDir, PORT: '0', SANDBOX_PORT: '0', SENDGRID_API_KEY: 'SG.real-key', SENDGRID_FROM: 'service@sportwinkel.test' },
    });
    expect(run.code, run.stderr).toBe(78);
    expect(run.stderr).toMatch(/^recur: configuration error: SHOP_NAME: required when SendGrid or Twilio send to real customers, who would otherwise get notices signed "recur" \(or set notices\.shop_name in recur\.config\.json\) \(missing\)\n$/);
    expect(readdirSync(root)).not.toContain('real');
  });
});
