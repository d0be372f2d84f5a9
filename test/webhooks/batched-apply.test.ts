import { afterEach, describe, expect, it } from 'vitest';
import { openWorkerDatabase } from '../../src/runtime/open-worker-database.ts';
import { processInboxBatch } from '../../src/webhooks/process-inbox-batch.ts';
import type { WorkerDeps } from '../../src/webhooks/process-inbox-event.ts';
import { stripeState } from '../stripe/stripe-test-kit.ts';
import { inboxCounts, startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

type Counts = Record<string, number>;

async function sandboxCall(recur: RunningRecur, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${recur.kit.sandbox.url}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  expect(response.ok).toBe(true);
  return response.json();
}

const requestsAtSandbox = async (recur: RunningRecur): Promise<Counts> => ((await sandboxCall(recur, 'GET', '/sandbox/requests')) as { counts: Counts }).counts;

/** Every delivery the sandbox has made has reached recur's inbox (no worker runs yet). */
async function deliverAll(recur: RunningRecur): Promise<void> {
  for (let tries = 0; tries < 300; tries++) {
    if (((await sandboxCall(recur, 'POST', '/sandbox/webhooks/flush')) as { drained: boolean }).drained) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the sandbox kept deliveries pending');
}

/** recur's worker, batch after batch, until nothing is due. */
async function runWorker(recur: RunningRecur): Promise<void> {
  const deps: WorkerDeps = { db: recur.t.ctx.db, clock: recur.t.ctx.clock, webhooks: recur.t.ctx.webhooks, locale: 'nl', random: () => 0.5 };
  while ((await processInboxBatch(deps)).claimed > 0);
}

/** Trial subscriptions made at Stripe (no card needed), each updated `updates` times: a burst about few objects. */
async function burstAbout(recur: RunningRecur, subscriptions: number, updates: number): Promise<string[]> {
  const stripe = recur.kit.stripe;
  const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
  const ids: string[] = [];
  for (let index = 0; index < subscriptions; index++) {
    const customer = await stripe.customers.create({ email: `burst${index}@example.nl` });
    ids.push((await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 14 })).id);
  }
  for (let round = 1; round <= updates; round++) {
    await Promise.all(ids.map((id, index) => stripe.subscriptions.update(id, round === updates && index === 0 ? { cancel_at_period_end: true } : { metadata: { round: String(round) } })));
  }
  await deliverAll(recur);
  return ids;
}

const subscriptionReads = (counts: Counts) => counts['stripe GET /v1/subscriptions/:id'] ?? 0;

describe.each(testDatabaseKinds)('batched apply of Stripe events on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  });

  it('reads each subscription once per batch however many of its events arrive, shuffled, and ends equal to Stripe', async () => {
    recur = await startRunningRecur(kind, { webhooks: [{ provider: 'stripe', shuffle: true }] });
    const ids = await burstAbout(recur, 3, 6);
    const inbox = await inboxCounts(recur.t);
    expect(inbox['received']).toBeGreaterThanOrEqual(3 * 7);
    await sandboxCall(recur, 'DELETE', '/sandbox/requests');

    await runWorker(recur);

    const counts = await requestsAtSandbox(recur);
    // One read per subscription for the whole batch (its created and six updated events, its invoice's events).
    expect(subscriptionReads(counts)).toBe(ids.length);
    const total = Object.entries(counts).reduce((sum, [, n]) => sum + n, 0);
    const applied = (await inboxCounts(recur.t))['processed'] ?? 0;
    expect(applied).toBeGreaterThanOrEqual(3 * 7);
    expect(total / applied).toBeLessThanOrEqual(1);
    expect(Object.keys(await inboxCounts(recur.t)).filter((status) => status !== 'processed' && status !== 'ignored')).toEqual([]);

    // The newest state wins whatever the order of delivery: recur equals a fresh read of Stripe.
    const rows = (await stripeState(recur.t.ctx.db)) as { subscriptions: { provider_subscription_id: string; cancel_at_period_end: boolean; status: string }[] };
    for (const id of ids) {
      const atStripe = await recur.kit.stripe.subscriptions.retrieve(id);
      expect(rows.subscriptions.find((row) => row.provider_subscription_id === id)).toMatchObject({ status: atStripe.status, cancel_at_period_end: atStripe.cancel_at_period_end });
    }
    expect(rows.subscriptions.filter((row) => row.cancel_at_period_end)).toHaveLength(1);
  }, 60_000);

  it('fails only the events whose object cannot be read; the others of the batch apply', async () => {
    recur = await startRunningRecur(kind);
    const ids = await burstAbout(recur, 2, 2);
    // Every invoice read fails (Stripe answers 500, after the SDK's own retries too): only invoice events need one.
    await sandboxCall(recur, 'PUT', '/sandbox/faults', { requests: [{ provider: 'stripe', route: 'GET /v1/invoices/:id', errorRate: 1, errorStatus: 500 }] });
    await sandboxCall(recur, 'DELETE', '/sandbox/requests');
    await runWorker(recur);
    // The failing group is retried one event at a time, still without reading its subscription again.
    expect(subscriptionReads(await requestsAtSandbox(recur))).toBe(ids.length);

    const rows = await recur.t.ctx.db.query<{ type: string; status: string }>('SELECT type, status FROM webhook_inbox ORDER BY id');
    const byType = (type: string) => new Set(rows.rows.filter((row) => row.type === type).map((row) => row.status));
    expect(byType('customer.subscription.updated')).toEqual(new Set(['processed']));
    expect(byType('invoice.paid')).toEqual(new Set(['failed']));
    const stored = await recur.t.ctx.db.query<{ provider_subscription_id: string }>('SELECT provider_subscription_id FROM subscriptions ORDER BY provider_subscription_id');
    expect(stored.rows.map((row) => row.provider_subscription_id)).toEqual([...ids].sort());
  }, 60_000);

  it('writes nothing of a group whose claim on one event was taken over; the others apply one by one', async () => {
    recur = await startRunningRecur(kind);
    const [id] = await burstAbout(recur, 1, 3);
    const db = recur.t.ctx.db;
    const stripe = recur.t.ctx.webhooks.processors.stripe!;
    const forBatch = stripe.forBatch!.bind(stripe);
    let taken: number | null = null;
    // Another worker takes over one claimed event (its lease lapsed) while this one prepares the group.
    stripe.forBatch = (options) => {
      const batch = forBatch(options);
      return {
        ...batch,
        prepare: async (event) => {
          if (taken === null && event.type === 'customer.subscription.updated') {
            taken = event.id;
            await db.query('UPDATE webhook_inbox SET attempts = attempts + 1 WHERE id = $1', [event.id]);
          }
          return batch.prepare(event);
        },
      };
    };
    const deps: WorkerDeps = { db, clock: recur.t.ctx.clock, webhooks: recur.t.ctx.webhooks, locale: 'nl', random: () => 0.5 };
    const report = await processInboxBatch(deps);

    expect(report['lost-claim']).toBe(1);
    expect(report.processed + report.ignored).toBe(report.claimed - 1);
    const rows = await db.query<{ id: string; status: string; attempts: number }>('SELECT id, status, attempts FROM webhook_inbox ORDER BY id');
    // The taken event is its new owner's: untouched by this worker.
    expect(rows.rows.find((row) => Number(row.id) === taken)).toMatchObject({ status: 'processing', attempts: 2 });
    expect(rows.rows.filter((row) => Number(row.id) !== taken).map((row) => row.status).filter((status) => status !== 'processed' && status !== 'ignored')).toEqual([]);
    const stored = await db.query<{ provider_subscription_id: string }>('SELECT provider_subscription_id FROM subscriptions');
    expect(stored.rows.map((row) => row.provider_subscription_id)).toEqual([id]);
  }, 60_000);
});

describe.each(testDatabaseKinds.filter((kind) => kind === 'postgres'))('the worker on %s while requests hold every connection', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  });

  it('applies the inbox on its own connections', async () => {
    recur = await startRunningRecur(kind);
    await burstAbout(recur, 2, 1);
    const workerDb = openWorkerDatabase({ DATABASE_URL: recur.t.database.url!, RECUR_DATA_DIR: '.' })!;
    recur.t.ctx.webhooks.workerDb = workerDb;
    // Ten transactions (the main pool's every connection), open until the worker is done: a webhook burst's inserts.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holders = Array.from({ length: 10 }, () => recur!.t.ctx.db.transaction(async (tx) => (await tx.query('SELECT 1'), held)));
    try {
      const worked = await Promise.race([runWorker(recur).then(() => 'done'), new Promise((resolve) => setTimeout(() => resolve('starved'), 15_000))]);
      expect(worked).toBe('done');
    } finally {
      release();
      await Promise.all(holders);
    }
    expect(Object.keys(await inboxCounts(recur.t)).sort()).toEqual(expect.arrayContaining(['processed']));
    expect((await inboxCounts(recur.t))['received'] ?? 0).toBe(0);
    await workerDb.close();
  }, 60_000);
});
