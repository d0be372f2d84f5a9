import { expect } from 'vitest';
import { poll } from '../support/poll.ts';
import { openTestDatabase } from '../support/test-database.ts';
import type { DatabaseKind } from '../../src/db/database.ts';
import { eventFeeder, readAllEvents, stripeState } from '../stripe/stripe-test-kit.ts';
import { startRunningRecur, waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

export type MissedWebhooks = {
  recur: RunningRecur;
  api: (method: string, path: string, body?: unknown) => Promise<Response>;
  subscriptionId: string;
  stripeCustomerId: string;
  recurEmail: string;
};

export const advanceSandbox = async (recur: RunningRecur, body: { days?: number; seconds?: number }) => {
  const response = await fetch(`${recur.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`advance: ${response.status} ${await response.text()}`);
};

/**
 * recur with its worker and the sandbox delivering webhooks; a customer checks out the monthly plan
 * (30-day trial); then recur's endpoint is disabled at Stripe, and meanwhile the trial ends and the
 * first period is charged, the subscription is set to cancel at period end, and the Stripe
 * customer's e-mail is changed at Stripe. recur heard none of it.
 */
export async function setUpMissedWebhooks(kind: DatabaseKind, track: (recur: RunningRecur) => void): Promise<MissedWebhooks> {
  const recur = await startRunningRecur(kind);
  track(recur);
  const { kit, t } = recur;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${recur.baseUrl}${path}`, { method, headers: { authorization: t.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, redirect: 'manual' });
  await recur.startWorker();

  const recurEmail = 'anouk@example.nl';
  expect((await api('POST', '/v1/customers', { external_id: 'shop-5001', email: recurEmail, name: 'Anouk de Vries', locale: 'nl' })).status).toBe(201);
  const started = await api('POST', '/v1/checkout', { customer: 'shop-5001', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' });
  if (started.status !== 201) throw new Error(`checkout: ${started.status} ${await started.text()}`);
  const { url, session_id } = (await started.json()) as { url: string; session_id: string };
  expect((await fetch(url, form({ card: 'pm_card_visa', action: 'pay' }))).status).toBe(303);
  await waitUntilSettled(recur);
  const session = await kit.stripe.checkout.sessions.retrieve(session_id);
  const subscriptionId = session.subscription as string;
  const stripeCustomerId = session.customer as string;
  // The checkout's follow-up (keep-card-that-pays updates the subscription at Stripe) is done, and its event heard.
  await poll('the card that pays kept', async () => ((await kit.stripe.subscriptions.retrieve(subscriptionId)).payment_settings?.save_default_payment_method === 'on_subscription' ? true : null));
  await waitUntilSettled(recur);
  expect((await t.ctx.db.query('SELECT status FROM subscriptions')).rows).toEqual([{ status: 'trialing' }]);

  // Webhooks off: Stripe's own switch for an endpoint.
  await kit.stripe.webhookEndpoints.update(recur.endpointId, { disabled: true });
  await advanceSandbox(recur, { days: 31 });
  await kit.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
  await kit.stripe.customers.update(stripeCustomerId, { email: 'anouk.new@elsewhere.example' });
  await waitUntilSettled(recur);

  // recur is behind: still trialing, no payment, not canceling.
  const stale = (await t.ctx.db.query<{ status: string; cancel_at_period_end: boolean }>('SELECT status, cancel_at_period_end FROM subscriptions')).rows;
  expect(stale).toEqual([{ status: 'trialing', cancel_at_period_end: false }]);
  expect((await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM payments')).rows[0]!.n).toBe(0);
  return { recur, api, subscriptionId, stripeCustomerId, recurEmail };
}

/** What a recur that missed nothing holds: every sandbox event fed through the processor into a fresh database. */
export async function referenceState(kind: DatabaseKind, recur: RunningRecur): Promise<unknown> {
  const reference = await openTestDatabase(kind);
  try {
    const feed = eventFeeder(recur.kit, reference.db, { now: () => recur.kit.sandbox.ctx.clock.now() });
    for (const event of await readAllEvents(recur.kit.stripe)) await feed(event);
    return await stripeState(reference.db);
  } finally {
    await reference.dispose();
  }
}

type RunJson = { id: string; status: string; counts: Record<string, number>; items?: { kind: string; provider_object_id: string; recur_id: string | null; action: string; found: unknown }[] };

/** After the sync and the worker: recur equals Stripe, Stripe has recur's e-mail, the report names the repairs. */
export async function expectEverythingRecovered(scenario: MissedWebhooks, kind: DatabaseKind): Promise<RunJson> {
  const { recur, api, subscriptionId, stripeCustomerId, recurEmail } = scenario;
  const { kit, t } = recur;
  await waitUntilSettled(recur);

  // Every event Stripe still lists (it keeps 30 days) is in recur's inbox, and all are processed (or ignored as unused).
  const events = await readAllEvents(kit.stripe);
  const inbox = (await t.ctx.db.query<{ provider_event_id: string; status: string }>('SELECT provider_event_id, status FROM webhook_inbox ORDER BY provider_event_id')).rows;
  const stored = new Set(inbox.map((row) => row.provider_event_id));
  expect(events.filter((event) => !stored.has(event.id)).map((event) => event.type)).toEqual([]);
  expect(new Set(inbox.map((row) => row.status))).toEqual(new Set(['processed', 'ignored']));

  // recur's subscription and payments equal Stripe's truth, and what a recur that missed nothing holds.
  const truth = await kit.stripe.subscriptions.retrieve(subscriptionId);
  const item = truth.items.data[0]!;
  const state = (await stripeState(t.ctx.db)) as { subscriptions: Record<string, unknown>[]; payments: Record<string, unknown>[] };
  expect(state.subscriptions).toEqual([
    expect.objectContaining({
      provider_subscription_id: subscriptionId,
      status: 'active',
      provider_status: truth.status,
      cancel_at_period_end: true,
      current_period_start: new Date(item.current_period_start * 1000),
      current_period_end: new Date(item.current_period_end * 1000),
    }),
  ]);
  expect(state.payments).toEqual([expect.objectContaining({ provider_subscription_id: subscriptionId, amount_minor: 2999, currency: 'EUR', status: 'succeeded' })]);
  expect(state).toEqual(await referenceState(kind, recur));

  // Stripe's customer has recur's e-mail again.
  const customer = await kit.stripe.customers.retrieve(stripeCustomerId);
  expect(customer.deleted ? null : customer.email).toBe(recurEmail);

  // The drift report names what was repaired.
  const runs = (await (await api('GET', '/v1/reconciliation/runs')).json()) as { data: RunJson[] };
  const run = runs.data[0]!;
  expect(run.status).toBe('succeeded');
  expect(run.counts).toMatchObject({ stale_status: 1, stale_period: 1, stale_cancel_flag: 1, email_mismatch: 1 });
  expect(run.counts['event_recovered']).toBeGreaterThan(0);
  const report = (await (await api('GET', `/v1/reconciliation/runs/${run.id}`)).json()) as RunJson;
  const repaired = report.items!.filter((entry) => entry.kind !== 'event_recovered');
  expect(repaired.map((entry) => [entry.kind, entry.provider_object_id, entry.action]).sort()).toEqual(
    [
      ['email_mismatch', stripeCustomerId, "Stripe's e-mail set to recur's"],
      ['stale_cancel_flag', subscriptionId, 'repaired from Stripe'],
      ['stale_period', subscriptionId, 'repaired from Stripe'],
      ['stale_status', subscriptionId, 'repaired from Stripe'],
    ].sort(),
  );
  expect(report.items!.find((entry) => entry.kind === 'stale_status')!.found).toEqual({ kind: 'stale_status', recur: 'trialing', provider: 'active' });
  const audit = await t.ctx.db.query<{ entity: string; action: string }>('SELECT entity, action FROM audit_log WHERE actor = $1 ORDER BY id', [`reconcile:${run.id}`]);
  expect(audit.rows).toEqual([
    { entity: 'subscription', action: 'sync' },
    { entity: 'customer', action: 'provider_email_set' },
  ]);
  return run;
}
