import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultInjector, faultSettingsSchema } from '../../../sandbox/core/fault-injection.ts';
import { WebhookDispatcher } from '../../../sandbox/core/webhook-dispatcher.ts';

/** A receiver that fails the first `failures` posts of each event id, then accepts. */
function startReceiver() {
  const received: { eventId: string; body: string; signature: string | undefined }[] = [];
  const failuresLeft = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const eventId = (JSON.parse(body) as { id: string }).id;
      received.push({ eventId, body, signature: request.headers['x-signature'] as string | undefined });
      const left = failuresLeft.get(eventId) ?? 0;
      failuresLeft.set(eventId, left - 1);
      response.statusCode = left > 0 ? 500 : 200;
      response.end();
    });
  });
  return { server, received, failuresLeft };
}

describe('webhook dispatcher', () => {
  const receiver = startReceiver();
  let url = '';
  const faults = new FaultInjector();
  const dispatcher = new WebhookDispatcher({ faults, retryDelaysMs: [10, 20, 40] });
  let attempt = 0;
  const send = (id: string) =>
    dispatcher.send({ provider: 'stripe', eventId: id, url, body: JSON.stringify({ id }), headers: () => ({ 'x-signature': `attempt-${++attempt}` }) });

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    const address = receiver.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));
  beforeEach(() => {
    dispatcher.reset();
    faults.reset();
    receiver.received.length = 0;
    receiver.failuresLeft.clear();
  });

  it('delivers in the order raised, signing each attempt afresh', async () => {
    for (const id of ['evt_1', 'evt_2', 'evt_3']) send(id);
    expect(await dispatcher.flush()).toBe(true);
    expect(receiver.received.map((r) => r.eventId)).toEqual(['evt_1', 'evt_2', 'evt_3']);
    expect(new Set(receiver.received.map((r) => r.signature)).size).toBe(3);
    expect(dispatcher.deliveries().map((d) => [d.eventId, d.status, d.attempts])).toEqual([
      ['evt_1', 'delivered', 1],
      ['evt_2', 'delivered', 1],
      ['evt_3', 'delivered', 1],
    ]);
  });

  it('retries a failing endpoint with backoff, then gives up', async () => {
    receiver.failuresLeft.set('evt_retry', 2);
    receiver.failuresLeft.set('evt_never', 99);
    send('evt_retry');
    send('evt_never');
    await dispatcher.flush();
    const byEvent = Object.fromEntries(dispatcher.deliveries().map((d) => [d.eventId, [d.status, d.attempts, d.lastStatusCode]]));
    expect(byEvent).toEqual({ evt_retry: ['delivered', 3, 200], evt_never: ['failed', 4, 500] });
  });

  it('drops and duplicates deliveries when those faults are on', async () => {
    faults.configure(faultSettingsSchema.parse({ seed: 7, webhooks: [{ provider: 'stripe', dropRate: 0.3, duplicateRate: 0.3 }] }));
    const ids = Array.from({ length: 40 }, (_, i) => `evt_${i}`);
    for (const id of ids) send(id);
    await dispatcher.flush();
    const statuses = dispatcher.deliveries().map((d) => d.status);
    const dropped = statuses.filter((s) => s === 'dropped').length;
    expect(dropped).toBeGreaterThan(0);
    expect(receiver.received.length).toBe(dispatcher.deliveries().length - dropped);
    expect(receiver.received.length).toBeGreaterThan(new Set(receiver.received.map((r) => r.eventId)).size);
  });

  it('sends a duplicated webhook as many times as asked', async () => {
    faults.configure(faultSettingsSchema.parse({ seed: 7, webhooks: [{ provider: 'stripe', duplicateRate: 1, duplicateCopies: 3 }] }));
    for (const id of ['evt_a', 'evt_b']) send(id);
    await dispatcher.flush();
    expect(receiver.received.map((r) => r.eventId).sort()).toEqual(['evt_a', 'evt_a', 'evt_a', 'evt_b', 'evt_b', 'evt_b']);
  });

  it('shuffles the order when asked', async () => {
    faults.configure(faultSettingsSchema.parse({ seed: 3, webhooks: [{ provider: 'stripe', shuffle: true }] }));
    receiver.failuresLeft.set('evt_0', 1);
    const ids = Array.from({ length: 20 }, (_, i) => `evt_${i}`);
    for (const id of ids) send(id);
    await dispatcher.flush();
    const order = [...new Set(receiver.received.map((r) => r.eventId))];
    expect([...order].sort()).toEqual([...ids].sort());
    expect(order).not.toEqual(ids);
  });
});
