import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStripe } from './webhook-test-app.ts';
import { startRunningRecur, waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

type WebhookEventJson = { provider_event_id: string; type: string; status: string; last_error: string | null };

const AT_2028 = Date.parse('2028-01-01T00:00:00Z') / 1000;

/**
 * Events signed with recur's real endpoint secret (a leaked secret, or a sender that has it) about
 * objects Stripe does not have. The signature is valid, so they are stored; the worker asks Stripe
 * for each object, hears "no such object", and ignores the event with that reason: nothing of the
 * body is applied, and no notice goes out.
 */
describe.each(testDatabaseKinds)('signed events about objects Stripe does not have, on %s', (kind) => {
  let recur: RunningRecur;
  let api: (method: string, path: string) => Promise<{ status: number; body: unknown }>;
  let victimId = '';
  let realIntent = '';
  let realCharge = '';

  beforeAll(async () => {
    recur = await startRunningRecur(kind);
    await recur.startWorker();
    const { t } = recur;
    api = async (method, path) => {
      const response = await t.app.inject({ method: method as 'GET', url: path, headers: { authorization: t.auth } });
      return { status: response.statusCode, body: response.json() };
    };
    const created = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: { authorization: t.auth }, payload: { external_id: 'shop-9101', email: 'victim@example.nl', name: 'Victim', locale: 'nl' } });
    expect(created.statusCode).toBe(201);
    victimId = (created.json() as { id: string }).id;
    // A real payment at Stripe (of a customer recur learns from the webhooks), for forgeries to point at.
    const customer = await recur.kit.stripe.customers.create({ email: 'payer@example.nl' });
    const intent = await recur.kit.stripe.paymentIntents.create({ amount: 2500, currency: 'eur', customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
    realIntent = intent.id;
    realCharge = intent.latest_charge as string;
    await waitUntilSettled(recur);
  }, 60_000);
  afterAll(async () => {
    await recur?.close();
  });

  const deliver = async (id: string, type: string, object: Record<string, unknown>, created?: number) => {
    const now = recur.t.ctx.clock.now();
    const body = JSON.stringify({ id, object: 'event', api_version: '2025-03-31.basil', created: created ?? Math.floor(now.getTime() / 1000), type, livemode: false, data: { object } });
    const response = await recur.t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, recur.endpointSecret, now) }, payload: body });
    expect(response.json()).toEqual({ received: true });
  };

  it('ignores each with the reason, visible in the admin events API, and applies nothing of its body', async () => {
    const period = { current_period_start: AT_2028 - 30 * 86_400, current_period_end: AT_2028 };
    await deliver('evt_forged_subscription', 'customer.subscription.updated', {
      id: 'sub_forged',
      object: 'subscription',
      customer: 'cus_forged',
      status: 'active',
      cancel_at_period_end: false,
      canceled_at: null,
      trial_end: null,
      metadata: { recur_customer_id: victimId },
      items: { object: 'list', data: [{ id: 'si_forged', price: { id: 'price_forged', lookup_key: 'recur_monthly' }, ...period }] },
    });
    await deliver('evt_forged_dispute', 'charge.dispute.created', {
      id: 'dp_forged',
      object: 'dispute',
      amount: 2500,
      currency: 'eur',
      charge: realCharge,
      payment_intent: realIntent,
      reason: 'fraudulent',
      status: 'needs_response',
      created: AT_2028,
      evidence_details: { due_by: AT_2028 },
    });
    await deliver('evt_forged_decline', 'charge.failed', { id: 'ch_forged', object: 'charge', payment_intent: realIntent, customer: 'cus_forged', failure_code: 'card_declined', metadata: { recur_customer_id: victimId } });
    await deliver('evt_forged_invoice', 'invoice.paid', { id: 'in_forged', object: 'invoice', customer: 'cus_forged', parent: { subscription_details: { subscription: 'sub_forged' } } });
    await deliver('evt_forged_upcoming', 'invoice.upcoming', { object: 'invoice', customer: 'cus_forged', parent: { subscription_details: { subscription: 'sub_forged' } } });
    await deliver('evt_forged_intent', 'payment_intent.succeeded', { id: 'pi_forged', object: 'payment_intent', customer: 'cus_forged', amount: 2500, currency: 'eur', status: 'succeeded' });
    await deliver('evt_forged_checkout', 'checkout.session.completed', { id: 'cs_forged', object: 'checkout.session', customer: 'cus_forged', subscription: 'sub_forged', client_reference_id: victimId });
    await waitUntilSettled(recur);

    const listed = await api('GET', '/v1/webhook-events?provider=stripe&limit=100');
    expect(listed.status).toBe(200);
    const forged = (listed.body as { data: WebhookEventJson[] }).data.filter((event) => event.provider_event_id.startsWith('evt_forged_'));
    const notApplied = (what: string) => `ignored: ${what} does not exist at Stripe (the event is not applied)`;
    expect(Object.fromEntries(forged.map((event) => [event.provider_event_id, [event.status, event.last_error]]))).toEqual({
      evt_forged_subscription: ['ignored', notApplied('subscription sub_forged')],
      evt_forged_dispute: ['ignored', notApplied('dispute dp_forged')],
      evt_forged_decline: ['ignored', notApplied('charge ch_forged')],
      evt_forged_invoice: ['ignored', notApplied('invoice in_forged')],
      evt_forged_upcoming: ['ignored', notApplied('subscription sub_forged')],
      evt_forged_intent: ['ignored', notApplied('PaymentIntent pi_forged')],
      evt_forged_checkout: ['ignored', notApplied('checkout session cs_forged')],
    });
    const ignored = await api('GET', '/v1/webhook-events?status=ignored&limit=100');
    expect((ignored.body as { data: WebhookEventJson[] }).data.map((event) => event.provider_event_id)).toEqual(expect.arrayContaining(forged.map((event) => event.provider_event_id)));

    // The customer named in the forged metadata gained nothing and was told nothing.
    expect(await api('GET', '/v1/customers/shop-9101/entitlement')).toMatchObject({ status: 200, body: { entitled: false, reason: 'no_subscription' } });
    expect((await api('GET', '/v1/subscriptions?customer=shop-9101')).body).toMatchObject({ data: [] });
    expect((await api('GET', '/v1/notifications?customer=shop-9101')).body).toMatchObject({ data: [] });
    const db = recur.t.ctx.db;
    expect((await db.query("SELECT 1 FROM provider_customers WHERE provider_customer_id = 'cus_forged'")).rows).toEqual([]);
    expect((await db.query('SELECT 1 FROM subscriptions')).rows).toEqual([]);
    // The real payment is as Stripe holds it: not disputed, no dispute recorded, no fraud review queued.
    expect((await db.query<{ status: string }>('SELECT status FROM payments WHERE provider_payment_id = $1', [realIntent])).rows).toEqual([{ status: 'succeeded' }]);
    expect((await db.query('SELECT 1 FROM disputes')).rows).toEqual([]);
    expect((await db.query("SELECT 1 FROM pgboss.job WHERE name IN ('review-declined-charges', 'apply-dispute-policy')")).rows).toEqual([]);
  }, 60_000);

  it('still applies a signed event about an object Stripe has: the truth it reads back', async () => {
    const created = await recur.kit.stripe.paymentIntents.create({ amount: 1200, currency: 'eur', customer: (await recur.kit.stripe.customers.create({ email: 'second@example.nl' })).id, payment_method: 'pm_card_visa', confirm: true });
    // The body lies about the amount; recur records Stripe's.
    await deliver('evt_true_object_false_body', 'payment_intent.succeeded', { id: created.id, object: 'payment_intent', amount: 1, currency: 'usd', customer: 'cus_forged' });
    await waitUntilSettled(recur);
    const listed = (await api('GET', '/v1/webhook-events?provider=stripe&limit=100')).body as { data: WebhookEventJson[] };
    expect(listed.data.find((event) => event.provider_event_id === 'evt_true_object_false_body')).toMatchObject({ status: 'processed' });
    const payment = await recur.t.ctx.db.query<{ amount: number; currency: string; provider_customer_id: string }>(
      `SELECT p.amount_minor::int AS amount, p.currency, pc.provider_customer_id FROM payments p JOIN provider_customers pc ON pc.customer_id = p.customer_id AND pc.provider = 'stripe' WHERE p.provider_payment_id = $1`,
      [created.id],
    );
    expect(payment.rows).toEqual([{ amount: 1200, currency: 'EUR', provider_customer_id: created.customer as string }]);
  }, 60_000);

  it('ignores a signed event dated after its arrival, so it cannot hold back the genuine events that follow', async () => {
    const customer = await recur.kit.stripe.customers.create({ email: 'later@example.nl' });
    const [price] = (await recur.kit.stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data;
    const subscription = await recur.kit.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price!.id }], trial_period_days: 30 });
    await waitUntilSettled(recur);
    const row = async () => (await recur.t.ctx.db.query<{ status: string; cancel_at_period_end: boolean }>('SELECT status, cancel_at_period_end FROM subscriptions WHERE provider_subscription_id = $1', [subscription.id])).rows;
    expect(await row()).toEqual([{ status: 'trialing', cancel_at_period_end: false }]);

    // A real subscription, but the event claims 2030: written with that version, it would make every genuine event until 2030 stale.
    await deliver('evt_forged_from_the_future', 'customer.subscription.updated', { id: subscription.id, object: 'subscription' }, Date.parse('2030-01-01T00:00:00Z') / 1000);
    await waitUntilSettled(recur);
    const listed = (await api('GET', '/v1/webhook-events?status=ignored&limit=100')).body as { data: WebhookEventJson[] };
    expect(listed.data.find((event) => event.provider_event_id === 'evt_forged_from_the_future')?.last_error).toMatch(/^ignored: the event is dated 2030-01-01T00:00:00\.000Z, after it was received/);

    await recur.kit.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await waitUntilSettled(recur);
    expect(await row()).toEqual([{ status: 'trialing', cancel_at_period_end: true }]);
  }, 60_000);
});
