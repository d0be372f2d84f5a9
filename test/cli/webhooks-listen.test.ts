import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, recurBin, runRecur, spawnNode, startRecur, waitForExit, waitForOutput, type RunningRecur } from '../fixtures/recur-process.ts';
import { startShopReceiver } from '../support/shop-receiver.ts';

// `recur webhooks listen` beside the key-less `recur start` (which allows loopback targets): a
// temporary endpoint registered through the running service, gone again after Ctrl-C.
describe('recur webhooks listen beside a running recur start', { timeout: 300_000 }, () => {
  let root: string;
  let server: RunningRecur;
  let key: string;
  let receiver: Awaited<ReturnType<typeof startShopReceiver>>;
  const env = () => ({ RECUR_DATA_DIR: join(root, 'data') });
  const endpoints = async () => (await (await fetch(`${server.url}/v1/webhook-endpoints`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { id: string; url: string; description: string }[] };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'recur-listen-'));
    receiver = await startShopReceiver();
    server = await startRecur({ cwd: root, env: env() });
    const created = await runRecur(['keys', 'create', '--name', 'listen test'], { cwd: root, env: env(), timeoutMs: 90_000 });
    expect(created.code, created.stderr).toBe(0);
    key = created.stdout.trim();
  });
  afterAll(async () => {
    await killSpawnedProcesses();
    await receiver.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('registers a temporary endpoint with a signing secret, and removes it on Ctrl-C', async () => {
    const listen = spawnNode([recurBin, 'webhooks', 'listen', '--forward-to', receiver.url, '--events', 'entitlement.changed,payment.failed'], { cwd: root, env: env() });
    const ready = await waitForOutput(listen, () => /^Ready: forwarding to (\S+) \(endpoint ([0-9a-f-]{36})\)\. Signing secret: (whsec_\S+)/m.exec(listen.stdout()), 90_000);
    expect(ready[1]).toBe(receiver.url);
    expect((await endpoints()).data).toEqual([expect.objectContaining({ id: ready[2], url: receiver.url, description: 'recur webhooks listen (temporary)', event_types: ['entitlement.changed', 'payment.failed'] })]);

    listen.child.kill('SIGINT');
    const exit = await waitForExit(listen, 60_000);
    expect(exit.code, listen.stderr()).toBe(0);
    expect(listen.stdout()).toContain(`Stopped: endpoint ${ready[2]} removed`);
    expect((await endpoints()).data).toEqual([]);
  });

  it('prints a line for each attempt: when, the event type, the event id, and how the forward target answered', async () => {
    const listen = spawnNode([recurBin, 'webhooks', 'listen', '--forward-to', receiver.url, '--events', 'customer.created'], { cwd: root, env: env() });
    await waitForOutput(listen, () => /^Ready: forwarding to /m.exec(listen.stdout()), 90_000);
    const createCustomer = async (externalId: string) => {
      const response = await fetch(`${server.url}/v1/customers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ external_id: externalId, email: `${externalId}@example.nl` }),
      });
      expect(response.status).toBe(201);
    };
    // The receiver saw this webhook-id, and answered it so.
    const answered = (eventId: string, status: number) => receiver.requests.some((request) => request.headers['webhook-id'] === eventId && request.answered === status);

    await createCustomer('listen-anna');
    const delivered = await waitForOutput(listen, () => /^(\S+) {2}customer\.created {2}(evt_[0-9a-f]{32}) {2}--> 204 {2}\[succeeded\]$/m.exec(listen.stdout()), 60_000);
    expect(new Date(delivered[1]!).toISOString()).toBe(delivered[1]);
    expect(answered(delivered[2]!, 204)).toBe(true);

    receiver.setMode('fail');
    await createCustomer('listen-bram');
    const failed = await waitForOutput(listen, () => /^\S+ {2}customer\.created {2}(evt_[0-9a-f]{32}) {2}--> 500 {2}\[pending\]$/m.exec(listen.stdout()), 60_000);
    receiver.setMode('ok');
    expect(failed[1]).not.toBe(delivered[2]);
    expect(answered(failed[1]!, 500)).toBe(true);

    listen.child.kill('SIGINT');
    expect((await waitForExit(listen, 60_000)).code, listen.stderr()).toBe(0);
  });

  it('refuses a URL that is not http(s) and an unknown event type, with one line', async () => {
    const badUrl = await runRecur(['webhooks', 'listen', '--forward-to', 'ftp://127.0.0.1/hooks'], { cwd: root, env: env() });
    expect([badUrl.code, badUrl.stdout, badUrl.stderr]).toEqual([64, '', 'recur: --forward-to must be an http(s) URL such as http://localhost:4000/hooks\n']);
    const badType = await runRecur(['webhooks', 'listen', '--forward-to', receiver.url, '--events', 'payment.exploded'], { cwd: root, env: env() });
    expect([badType.code, badType.stderr]).toEqual([64, 'recur: --events: unknown event type payment.exploded\n']);
    const missing = await runRecur(['webhooks', 'listen'], { cwd: root, env: env() });
    expect([missing.code, missing.stderr]).toEqual([64, 'recur: missing --forward-to <url>: where to deliver, e.g. http://localhost:4000/hooks\n']);
    expect((await endpoints()).data).toEqual([]);
  });
});
