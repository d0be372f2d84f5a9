import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobEngine, type JobEngine } from '../../src/jobs/job-engine.ts';
import { PROCESS_WEBHOOK_INBOX, PROCESS_WEBHOOK_INBOX_KEY, processWebhookInboxJob } from '../../src/jobs/process-webhook-inbox.ts';
import { createStripeWebhookVerifier } from '../../src/providers/payments/stripe/verify-stripe-webhook.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { EventProcessor } from '../../src/webhooks/inbox-event.ts';
import { flushWebhooks, startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { countInbox, signStripe, startWebhookTestApp, type WebhookTestApp } from './webhook-test-app.ts';

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(testDatabaseKinds)('Stripe sandbox deliveries to a running recur on %s', (kind) => {
  let kit: StripeKit;
  let t: WebhookTestApp;
  let engines: JobEngine[] = [];
  let secret = '';
  const invocations = new Map<string, number>();
  const processor: EventProcessor = async (event) => {
    invocations.set(event.providerEventId, (invocations.get(event.providerEventId) ?? 0) + 1);
    return { apply: async () => (event.type === 'customer.created' ? { outcome: 'applied' } : { outcome: 'ignored', reason: `test processor does not use ${event.type}` }) };
  };

  beforeAll(async () => {
    kit = await startStripe();
    // recur's clock is the sandbox's: signatures carry sandbox time.
    t = await startWebhookTestApp(kind, { secrets: ['whsec_placeholder'], processors: { stripe: processor }, clock: { now: () => kit.sandbox.ctx.clock.now() } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const endpoint = await kit.stripe.webhookEndpoints.create({ url: `http://127.0.0.1:${port}/webhooks/stripe`, enabled_events: ['*'] });
    secret = endpoint.secret!;
    // The endpoint's secret exists only once recur's URL (its port) is known.
    t.ctx.webhooks.verifiers.stripe = createStripeWebhookVerifier([secret]);
    // Two workers on one database, as two recur processes would run.
    const jobs = [processWebhookInboxJob(t.ctx)];
    for (let n = 0; n < 2; n++) engines.push(await startJobEngine({ db: t.ctx.db, jobs, logger: createLogger('silent'), pollIntervalSeconds: 0.5 }));
    t.ctx.webhooks.wakeWorker = async () => {
      await engines[0]!.enqueue(PROCESS_WEBHOOK_INBOX, {}, { singletonKey: PROCESS_WEBHOOK_INBOX_KEY });
    };
  });
  afterAll(async () => {
    for (const engine of engines) await engine.stop();
    engines = [];
    await t?.close();
    await kit?.stop();
  });

  it('stores each event once when every delivery is duplicated, and the worker processes it once', async () => {
    const faults = await fetch(`${kit.sandbox.url}/sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ webhooks: [{ provider: 'stripe', duplicateRate: 1 }] }),
    });
    expect(faults.ok).toBe(true);
    for (let n = 0; n < 3; n++) await kit.stripe.customers.create({ email: `buyer${n}@example.nl` });
    await flushWebhooks(kit.sandbox);

    const deliveries = (await (await fetch(`${kit.sandbox.url}/sandbox/webhooks/deliveries`)).json()) as { data: { eventId: string; status: string }[] };
    const eventIds = [...new Set(deliveries.data.map((delivery) => delivery.eventId))];
    expect(eventIds.length).toBeGreaterThanOrEqual(3);
    expect(deliveries.data.length).toBe(eventIds.length * 2);
    expect(deliveries.data.every((delivery) => delivery.status === 'delivered')).toBe(true);

    // A third copy of one event, signed with the endpoint's secret: still one row.
    const event = await kit.stripe.events.retrieve(eventIds[0]!);
    const body = JSON.stringify(event);
    const third = await t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, secret, t.ctx.clock.now()) }, payload: body });
    expect(third.json()).toEqual({ received: true, duplicate: true });
    expect(await countInbox(t)).toBe(eventIds.length);

    await waitFor(async () => {
      const open = await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_inbox WHERE status NOT IN ('processed', 'ignored')");
      return open.rows[0]!.n === 0;
    });
    expect(eventIds.map((id) => invocations.get(id))).toEqual(eventIds.map(() => 1));
    const statuses = await t.ctx.db.query<{ type: string; status: string }>('SELECT DISTINCT type, status FROM webhook_inbox ORDER BY type');
    expect(statuses.rows).toContainEqual({ type: 'customer.created', status: 'processed' });
  });

  it('refuses a delivery signed with a secret the endpoint does not use', async () => {
    const before = await countInbox(t);
    const event = (await kit.stripe.events.list({ limit: 1 })).data[0]!;
    const body = JSON.stringify({ ...event, id: 'evt_forged_copy' });
    const forged = await t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, 'whsec_not_ours', t.ctx.clock.now()) }, payload: body });
    expect(forged.statusCode).toBe(400);
    expect(await countInbox(t)).toBe(before);
  });
});
