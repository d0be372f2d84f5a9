import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { findPaymentByProviderId } from '../../src/db/repositories/payment-repository.ts';
import { advanceDays, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { seedCustomer } from '../support/seed.ts';
import type { TestApp } from '../support/test-app.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';
import { eventFeeder, readAllEvents, startStripeTestApp, stripeState, tableCounts, type Feeder } from './stripe-test-kit.ts';

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

describe.each(testDatabaseKinds)('the Stripe event processor on %s', (kind) => {
  let t: TestApp;
  let kit: StripeKit;
  let stripe: Stripe;
  let feed: Feeder;
  const seen = new Set<string>();
  let stripeSubscriptionId = '';

  /** Feeds every event the processor has not seen yet, oldest first. */
  const feedNew = async () => {
    const outcomes: Record<string, string> = {};
    for (const event of await readAllEvents(stripe)) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      outcomes[`${event.type} ${event.id}`] = (await feed(event)).outcome;
    }
    return outcomes;
  };

  beforeAll(async () => {
    ({ kit, stripe, t } = await startStripeTestApp(kind));
    feed = eventFeeder(kit, t.ctx.db, t.clock);
    await seedCustomer(t, 'shop-3001');
    const started = await t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { authorization: t.auth }, payload: { customer: 'shop-3001', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/' } });
    const { url, session_id } = started.json() as { url: string; session_id: string };
    await fetch(url, form({ card: 'pm_card_visa', action: 'pay' }));
    stripeSubscriptionId = (await stripe.checkout.sessions.retrieve(session_id)).subscription as string;
  });
  afterAll(async () => {
    await t.close();
    await kit.stop();
  });

  const subscriptionRow = async () => (await t.ctx.db.query<Record<string, unknown>>('SELECT * FROM subscriptions WHERE provider_subscription_id = $1', [stripeSubscriptionId])).rows[0];

  it('builds a trialing subscription from the checkout events alone, then the paid renewal after 31 days', async () => {
    const outcomes = await feedNew();
    expect(Object.keys(outcomes).some((key) => key.startsWith('checkout.session.completed'))).toBe(true);
    expect(await subscriptionRow()).toMatchObject({ status: 'trialing', plan_id: 'monthly', provider_status: 'trialing' });
    const checkout = await t.ctx.db.query<{ status: string }>('SELECT status FROM checkout_sessions');
    expect(checkout.rows.map((row) => row.status)).toEqual(['complete']);

    await advanceDays(kit.sandbox, 31);
    const renewal = await feedNew();
    expect(Object.entries(renewal).filter(([key, outcome]) => key.startsWith('invoice.paid') && outcome === 'applied')).toHaveLength(1);
    const truth = await stripe.subscriptions.retrieve(stripeSubscriptionId);
    const item = truth.items.data[0]!;
    expect(truth.status).toBe('active');
    expect(await subscriptionRow()).toMatchObject({
      status: 'active',
      current_period_start: new Date(item.current_period_start * 1000),
      current_period_end: new Date(item.current_period_end * 1000),
      past_due_since: null,
    });
    const payments = await t.ctx.db.query<Record<string, unknown>>('SELECT provider_payment_id, kind, amount_minor::int AS amount, currency, status, method_summary, subscription_id FROM payments');
    expect(payments.rows).toEqual([
      { provider_payment_id: expect.stringMatching(/^pi_/), kind: 'subscription', amount: 2999, currency: 'EUR', status: 'succeeded', method_summary: 'visa •••• 4242', subscription_id: (await subscriptionRow())!['id'] },
    ]);
    const audit = await listAuditEntries(t.ctx.db, 'subscription', String((await subscriptionRow())!['id']));
    expect(audit.every((entry) => entry.actor.startsWith('webhook:stripe:evt_'))).toBe(true);
  });

  it('changes nothing when every event is applied again', async () => {
    const state = await stripeState(t.ctx.db);
    const counts = await tableCounts(t.ctx.db);
    for (const event of await readAllEvents(stripe)) await feed(event);
    expect(await stripeState(t.ctx.db)).toEqual(state);
    expect(await tableCounts(t.ctx.db)).toEqual(counts);
  });

  it('ends in the same state from every event twice, newest first, on an empty database (unknown customer created)', async () => {
    const fresh: TestDatabase = await openTestDatabase(kind);
    try {
      const feedFresh = eventFeeder(kit, fresh.db, t.clock);
      for (const event of (await readAllEvents(stripe)).reverse()) {
        await feedFresh(event);
        await feedFresh(event);
      }
      expect(await stripeState(fresh.db)).toEqual(await stripeState(t.ctx.db));
      const customers = await fresh.db.query<{ id: string; external_id: string; email: string }>('SELECT id, external_id, email FROM customers');
      expect(customers.rows).toEqual([{ id: expect.any(String), external_id: expect.stringMatching(/^stripe:cus_/), email: 'shop-3001@example.nl' }]);
      const audit = await listAuditEntries(fresh.db, 'customer', customers.rows[0]!.id);
      expect(audit[0]).toMatchObject({ action: 'create', reason: expect.stringContaining('unknown stripe customer') });
    } finally {
      await fresh.dispose();
    }
  });

  it('records a partial and then a full refund, and a late partial event does not roll it back', async () => {
    const intent = (await t.ctx.db.query<{ provider_payment_id: string }>('SELECT provider_payment_id FROM payments')).rows[0]!.provider_payment_id;
    await stripe.refunds.create({ payment_intent: intent, amount: 999 });
    await feedNew();
    expect(await findPaymentByProviderId(t.ctx.db, 'stripe', intent)).toMatchObject({ status: 'partially_refunded', amountRefundedMinor: 999 });
    const partialEvents = (await readAllEvents(stripe)).filter((event) => event.type === 'charge.refunded');

    await stripe.refunds.create({ payment_intent: intent });
    await feedNew();
    expect(await findPaymentByProviderId(t.ctx.db, 'stripe', intent)).toMatchObject({ status: 'refunded', amountRefundedMinor: 2999 });
    for (const event of partialEvents) await feed(event);
    expect(await findPaymentByProviderId(t.ctx.db, 'stripe', intent)).toMatchObject({ status: 'refunded', amountRefundedMinor: 2999 });
  });

  it('marks a disputed payment and keeps the dispute in the audit log once', async () => {
    const customer = await stripe.customers.create({ email: 'dispute@example.nl' });
    const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'eur', customer: customer.id, payment_method: 'pm_card_createDispute', confirm: true });
    const outcomes = await feedNew();
    expect(Object.keys(outcomes).some((key) => key.startsWith('charge.dispute.created'))).toBe(true);
    const payment = await findPaymentByProviderId(t.ctx.db, 'stripe', intent.id);
    expect(payment).toMatchObject({ status: 'disputed', amountMinor: 2500, currency: 'EUR', kind: 'one_time' });
    const disputeEvent = (await readAllEvents(stripe)).find((event) => event.type === 'charge.dispute.created')!;
    await feed(disputeEvent);
    const audit = await listAuditEntries(t.ctx.db, 'payment', payment!.id);
    expect(audit.filter((entry) => entry.action === 'dispute_opened')).toEqual([expect.objectContaining({ actor: `webhook:stripe:${disputeEvent.id}`, after: expect.objectContaining({ status: 'needs_response', reason: 'fraudulent', amountMinor: 2500 }) })]);
  });

  it('marks a subscription past due from the failed renewal, with a failed payment row', async () => {
    const customer = await stripe.customers.create({ email: 'late@example.nl', payment_method: 'pm_card_chargeCustomerFail', invoice_settings: { default_payment_method: 'pm_card_chargeCustomerFail' } });
    const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 1 });
    await advanceDays(kit.sandbox, 2);
    const outcomes = await feedNew();
    expect(Object.keys(outcomes).some((key) => key.startsWith('invoice.payment_failed'))).toBe(true);
    const failedEvent = (await readAllEvents(stripe)).find((event) => event.type === 'invoice.payment_failed' && (event.data.object as Stripe.Invoice).customer === customer.id)!;
    const row = (await t.ctx.db.query<Record<string, unknown>>('SELECT * FROM subscriptions WHERE provider_subscription_id = $1', [subscription.id])).rows[0]!;
    expect(row).toMatchObject({ status: 'past_due', provider_status: 'past_due', plan_id: 'monthly' });
    expect((row['past_due_since'] as Date).getTime()).toBeLessThanOrEqual(failedEvent.created * 1000);
    const payments = await t.ctx.db.query<Record<string, unknown>>('SELECT amount_minor::int AS amount, status, subscription_id FROM payments WHERE subscription_id = $1', [row['id']]);
    expect(payments.rows).toEqual([{ amount: 2999, status: 'failed', subscription_id: row['id'] }]);
  });

  it('settles an expired checkout session from checkout.session.expired; the redirect then says canceled', async () => {
    // A customer of its own: shop-3001 subscribed above, and a second subscription is refused.
    await seedCustomer(t, 'shop-3002');
    const started = await t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { authorization: t.auth }, payload: { customer: 'shop-3002', plan: 'yearly', provider: 'stripe', return_url: 'https://shop.example/plans' } });
    const { session_id } = started.json() as { session_id: string };
    await stripe.checkout.sessions.expire(session_id);
    const outcomes = await feedNew();
    expect(Object.entries(outcomes).filter(([key]) => key.startsWith('checkout.session.expired')).map(([, outcome]) => outcome)).toEqual(['applied']);
    const row = await t.ctx.db.query<{ status: string; subscription_id: string | null }>('SELECT status, subscription_id FROM checkout_sessions WHERE provider_session_id = $1', [session_id]);
    expect(row.rows).toEqual([{ status: 'expired', subscription_id: null }]);
    const back = await t.app.inject({ method: 'GET', url: `/checkout/stripe/return?session_id=${session_id}` });
    expect(back.headers.location).toBe('https://shop.example/plans?checkout=canceled');
  });

  it('ignores event types recur does not use, and objects that are not recur\'s', async () => {
    const counts = await tableCounts(t.ctx.db);
    const unknown = { id: 'evt_unknown_1', object: 'event', type: 'customer.tax_id.created', created: 1_767_225_600, data: { object: { id: 'txi_1' } } } as unknown as Stripe.Event;
    expect(await feed(unknown)).toEqual({ outcome: 'ignored', reason: 'recur does not use customer.tax_id.created' });
    const constructor = { ...unknown, type: 'constructor' } as unknown as Stripe.Event;
    expect((await feed(constructor)).outcome).toBe('ignored');
    const anonymous = await stripe.paymentIntents.create({ amount: 500, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
    const charge = (await readAllEvents(stripe)).find((event) => event.type === 'charge.succeeded' && (event.data.object as Stripe.Charge).payment_intent === anonymous.id)!;
    expect((await feed(charge)).outcome).toBe('ignored');
    expect(await tableCounts(t.ctx.db)).toEqual(counts);
  });
});
