import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { inboxCounts, sandboxDeliveries, startRunningRecur, waitUntilSettled, type RunningRecur, type SandboxFaults } from './running-recur.ts';

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });
const DAY_S = 86_400;

type SubscriptionJson = { id: string; status: string; plan: string; provider_subscription_id: string; trial_end: string | null; current_period_start: string | null; current_period_end: string | null; cancel_at_period_end: boolean };

/**
 * The whole path of issue 4's first scenario, with nothing but HTTP between the parts: recur's
 * API, the sandbox's hosted checkout page, the browser's redirect back to recur, the sandbox's
 * signed webhooks into recur's inbox, and the inbox worker on the job engine.
 */
async function checkoutToRenewal(kind: (typeof testDatabaseKinds)[number], faults: SandboxFaults | null, label: string, track: (recur: RunningRecur) => void) {
  const recur = await startRunningRecur(kind, faults);
  track(recur);
  const { kit, t } = recur;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${recur.baseUrl}${path}`, { method, headers: { authorization: t.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, redirect: 'manual' });

  // A customer in recur, then checkout for the yearly plan.
  const created = await api('POST', '/v1/customers', { external_id: 'shop-4001', email: 'anouk@example.nl', name: 'Anouk de Vries', locale: 'nl' });
  expect(created.status).toBe(201);
  const started = await api('POST', '/v1/checkout', { customer: 'shop-4001', plan: 'yearly', provider: 'stripe', return_url: 'https://shop.example/account?tab=plan' });
  if (started.status !== 201) throw new Error(`checkout: ${started.status} ${await started.text()}`);
  const { url, session_id } = (await started.json()) as { url: string; session_id: string };

  // The sandbox's hosted page, paid with Visa 4242, sends the browser back to recur.
  const paid = await fetch(url, form({ card: 'pm_card_visa', action: 'pay' }));
  expect(paid.status).toBe(303);
  const returnUrl = paid.headers.get('location')!;
  expect(returnUrl).toBe(`${recur.baseUrl}/checkout/stripe/return?session_id=${session_id}`);
  const back = await fetch(returnUrl, { redirect: 'manual' });
  expect(back.status).toBe(303);
  const shop = new URL(back.headers.get('location')!);
  expect(shop.origin + shop.pathname).toBe('https://shop.example/account');
  expect(shop.searchParams.get('checkout')).toBe('success');

  // Recorded at once by the redirect: no webhook has been processed yet (the worker is not running).
  const beforeWorker = await inboxCounts(t);
  expect(Object.keys(beforeWorker).filter((status) => status !== 'received')).toEqual([]);
  const receivedBeforeWorker = beforeWorker['received'] ?? 0;
  const listed = (await (await api('GET', '/v1/subscriptions?customer=shop-4001')).json()) as { data: SubscriptionJson[] };
  expect(listed.data).toHaveLength(1);
  const recorded = listed.data[0]!;
  expect(shop.searchParams.get('subscription')).toBe(recorded.id);
  const session = await kit.stripe.checkout.sessions.retrieve(session_id);
  const atCheckout = await kit.stripe.subscriptions.retrieve(session.subscription as string);
  expect(recorded).toMatchObject({ status: 'trialing', plan: 'yearly', provider_subscription_id: atCheckout.id, cancel_at_period_end: false });
  expect(atCheckout.trial_end! - atCheckout.start_date).toBe(30 * DAY_S);
  expect(recorded.trial_end).toBe(new Date(atCheckout.trial_end! * 1000).toISOString());
  expect(Date.parse(recorded.trial_end!) - kit.sandbox.ctx.clock.now().getTime()).toBe(30 * DAY_S * 1000);
  expect((await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM payments')).rows[0]!.n).toBe(0);
  const trialEntitlement = (await (await api('GET', '/v1/customers/shop-4001/entitlement')).json()) as Record<string, unknown>;
  expect(trialEntitlement).toMatchObject({ entitled: true, reason: 'trialing', until: recorded.trial_end, subscription_id: recorded.id });

  // The worker starts; then 31 days pass at Stripe. Nothing else is done by hand.
  await recur.startWorker();
  await waitUntilSettled(recur);
  // The checkout's own events, processed: they confirm what the redirect recorded.
  const confirmed = ((await (await api('GET', '/v1/subscriptions?customer=shop-4001')).json()) as { data: SubscriptionJson[] }).data;
  expect(confirmed).toEqual([{ ...recorded, updated_at: expect.any(String) }]);
  expect((await t.ctx.db.query<{ status: string }>('SELECT status FROM checkout_sessions')).rows).toEqual([{ status: 'complete' }]);
  const advanced = await fetch(`${kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ days: 31 }) });
  expect(advanced.ok).toBe(true);
  await waitUntilSettled(recur);

  // recur's state equals the sandbox's truth.
  const truth = await kit.stripe.subscriptions.retrieve(atCheckout.id);
  const item = truth.items.data[0]!;
  expect(truth.status).toBe('active');
  const after = ((await (await api('GET', '/v1/subscriptions?customer=shop-4001')).json()) as { data: SubscriptionJson[] }).data;
  expect(after).toHaveLength(1);
  expect(after[0]).toMatchObject({
    id: recorded.id,
    status: truth.status,
    plan: 'yearly',
    current_period_start: new Date(item.current_period_start * 1000).toISOString(),
    current_period_end: new Date(item.current_period_end * 1000).toISOString(),
    cancel_at_period_end: truth.cancel_at_period_end,
  });
  expect(item.current_period_end - item.current_period_start).toBeGreaterThanOrEqual(365 * DAY_S);

  const payments = await t.ctx.db.query<Record<string, unknown>>('SELECT id, provider_payment_id, amount_minor::int AS amount, currency, status, method_summary, subscription_id FROM payments');
  expect(payments.rows).toEqual([
    { id: expect.any(String), provider_payment_id: expect.stringMatching(/^pi_/), amount: 29990, currency: 'EUR', status: 'succeeded', method_summary: 'visa •••• 4242', subscription_id: recorded.id },
  ]);
  const intent = await kit.stripe.paymentIntents.retrieve(String(payments.rows[0]!['provider_payment_id']));
  expect([intent.amount, intent.currency, intent.status]).toEqual([29990, 'eur', 'succeeded']);

  const entitlement = (await (await api('GET', '/v1/customers/shop-4001/entitlement')).json()) as { entitled: boolean; reason: string; until: string | null; subscription_id: string | null };
  expect(entitlement).toMatchObject({ entitled: true, reason: 'active', until: new Date(item.current_period_end * 1000).toISOString(), subscription_id: recorded.id });

  // The inbox: one row per event id, nothing left over, no effect twice.
  const deliveries = await sandboxDeliveries(recur);
  const eventIds = new Set(deliveries.map((delivery) => delivery.eventId));
  const inboxIds = (await t.ctx.db.query<{ provider_event_id: string }>('SELECT provider_event_id FROM webhook_inbox ORDER BY provider_event_id')).rows.map((row) => row.provider_event_id);
  expect(inboxIds).toEqual([...eventIds].sort());
  const inbox = await inboxCounts(t);
  expect(Object.keys(inbox).sort()).toEqual(['ignored', 'processed']);
  const paymentCreates = await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE entity = 'payment' AND action = 'create'");
  expect(paymentCreates.rows[0]!.n).toBe(1);
  const subscriptionCreates = await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE entity = 'subscription' AND action = 'create'");
  expect(subscriptionCreates.rows[0]!.n).toBe(1);

  // No effect recorded twice: each (actor = event, entity, action) at most once.
  const repeated = await t.ctx.db.query('SELECT actor, entity, entity_id, action, count(*)::int AS n FROM audit_log GROUP BY actor, entity, entity_id, action HAVING count(*) > 1');
  expect(repeated.rows).toEqual([]);
  const renewalPaid = await t.ctx.db.query<{ status: string }>("SELECT status FROM webhook_inbox WHERE type = 'invoice.paid' ORDER BY received_at");
  expect(renewalPaid.rows.map((row) => row.status)).toEqual(['processed', 'processed']);

  // Arrival order (inbox ids) against the order the sandbox raised the events in (its delivery log
  // is written at raise time; events.list cannot tell, it keeps 30 days as Stripe does).
  const raised = [...eventIds];
  const arrival = (await t.ctx.db.query<{ provider_event_id: string }>('SELECT provider_event_id FROM webhook_inbox ORDER BY id')).rows.map((row) => raised.indexOf(row.provider_event_id));
  const inboxOrder = (await t.ctx.db.query<{ provider_event_id: string; type: string }>("SELECT provider_event_id, type FROM webhook_inbox ORDER BY id")).rows;
  expect(inboxOrder.filter((_row, index) => arrival[index]! < 0)).toEqual([]);
  const retried = (await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_inbox WHERE attempts > 1')).rows[0]!.n;
  const ignoredTypes = (await t.ctx.db.query<{ type: string }>("SELECT DISTINCT type FROM webhook_inbox WHERE status = 'ignored' ORDER BY type")).rows.map((row) => row.type);
  const numbers = {
    deliveries: deliveries.length,
    delivered: deliveries.filter((delivery) => delivery.status === 'delivered').length,
    distinctEvents: eventIds.size,
    stored: inboxIds.length,
    processed: inbox['processed'] ?? 0,
    ignored: inbox['ignored'] ?? 0,
    receivedBeforeWorker,
    retried,
    arrivedBeforeAnEarlierEvent: arrival.filter((position, index) => arrival.slice(0, index).some((earlier) => earlier > position)).length,
    ignoredTypes,
  };
  console.info(`[${kind}] ${label}: ${JSON.stringify(numbers)}`);
  const state = await businessState(t.ctx.db);
  return { numbers, deliveries, state, recur };
}

/** recur's rows without its own ids and timestamps: the sandbox starts at the same instant in every run. */
async function businessState(db: Database): Promise<unknown> {
  const subscriptions = await db.query('SELECT plan_id, status, provider_status, trial_end, current_period_start, current_period_end, cancel_at_period_end, canceled_at, past_due_since FROM subscriptions');
  const payments = await db.query('SELECT kind, amount_minor::int AS amount_minor, currency, amount_refunded_minor::int AS refunded, status, method_summary, invoice_at FROM payments');
  const customers = await db.query('SELECT external_id, email, banned FROM customers');
  return { subscriptions: subscriptions.rows, payments: payments.rows, customers: customers.rows };
}

describe.each(testDatabaseKinds)('Stripe end to end on %s: checkout, redirect, webhooks, renewal after 31 days', (kind) => {
  let running: RunningRecur | null = null;
  const track = (recur: RunningRecur) => {
    running = recur;
  };
  let plainState: unknown = null;
  afterEach(async () => {
    await running?.close();
    running = null;
  });

  it('records the trialing subscription at the redirect, then the paid renewal from the webhooks alone', async () => {
    const { numbers, deliveries, state } = await checkoutToRenewal(kind, null, 'plain deliveries', track);
    plainState = state;
    expect(deliveries.every((delivery) => delivery.status === 'delivered')).toBe(true);
    expect(numbers.deliveries).toBe(numbers.distinctEvents);
  }, 120_000);

  it('ends in the same state when every delivery is duplicated and the order shuffled', async () => {
    const { numbers, deliveries, state, recur } = await checkoutToRenewal(kind, { webhooks: [{ provider: 'stripe', duplicateRate: 1, shuffle: true }] }, 'duplicated + shuffled', track);
    expect(deliveries.every((delivery) => delivery.status === 'delivered')).toBe(true);
    expect(numbers.deliveries).toBe(numbers.distinctEvents * 2);
    // The same rows as the run without faults (when it ran first, as in a whole-file run).
    if (plainState) expect(state).toEqual(plainState);

    // A third copy of every event, signed with the endpoint's secret at sandbox time: all duplicates, nothing changes.
    const audit = (await recur.t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')).rows[0]!.n;
    // Stripe lists and retrieves events for 30 days only (the sandbox too), so the copies are the stored payloads.
    const stored = await recur.t.ctx.db.query<{ payload: unknown }>('SELECT payload FROM webhook_inbox ORDER BY id');
    expect(stored.rows).toHaveLength(numbers.distinctEvents);
    for (const { payload } of stored.rows) {
      const body = JSON.stringify(payload);
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: recur.endpointSecret, timestamp: Math.floor(recur.kit.sandbox.ctx.clock.now().getTime() / 1000) });
      const third = await fetch(`${recur.baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body });
      expect(await third.json()).toEqual({ received: true, duplicate: true });
    }
    await waitUntilSettled(recur);
    expect(await inboxCounts(recur.t)).toEqual({ processed: numbers.processed, ignored: numbers.ignored });
    expect((await recur.t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')).rows[0]!.n).toBe(audit);
    expect(await businessState(recur.t.ctx.db)).toEqual(state);
  }, 120_000);
});
