import { afterEach, describe, expect, it } from 'vitest';
import { applyDisputePolicy } from '../../src/services/risk/apply-dispute-policy.ts';
import type { StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { eventFeeder, readAllEvents, startStripeTestApp } from '../stripe/stripe-test-kit.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const subscriptionSide = (type: string): boolean => type.startsWith('customer.subscription.') || type.startsWith('invoice.');

/**
 * Webhooks come in any order, and a batch may apply a dispute before the subscription it paid for
 * is recorded. The policy must then wait for the subscription, not take the payment for a one-off
 * and leave the disputed subscription running.
 */
describe.each(testDatabaseKinds)('a dispute applied before its subscription on %s', (kind) => {
  let kit: StripeKit | null = null;
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    await kit?.stop();
    t = null;
    kit = null;
  });

  it('is retried while the customer has no subscription recorded, and cancels the subscription once its events are applied', async () => {
    const started = await startStripeTestApp(kind);
    kit = started.kit;
    t = started.t;
    const { stripe } = started;
    t.ctx.clock = { now: () => kit!.sandbox.ctx.clock.now() };
    t.ctx.config = { ...t.ctx.config, DISPUTE_POLICY: 'hold' };

    const customer = await stripe.customers.create({ email: 'late-link@example.nl', payment_method: 'pm_card_createDispute', invoice_settings: { default_payment_method: 'pm_card_createDispute' } });
    const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const events = await readAllEvents(stripe);
    const feed = eventFeeder(kit, t.ctx.db, t.ctx.clock);

    // The payment side first: customer, charge, payment intent and the dispute.
    for (const event of events.filter((event) => !subscriptionSide(event.type))) await feed(event);
    const dispute = (await t.ctx.db.query<{ id: string }>('SELECT id FROM disputes')).rows[0]!;
    expect((await t.ctx.db.query('SELECT count(*)::int AS n FROM subscriptions')).rows).toEqual([{ n: 0 }]);
    await expect(applyDisputePolicy(t.ctx, dispute.id, { lastAttempt: false })).rejects.toThrow(/not linked to a subscription yet/);
    expect((await t.ctx.db.query('SELECT count(*)::int AS n FROM risk_actions')).rows).toEqual([{ n: 0 }]);

    // Then the subscription's events: the retry finds the subscription and cancels it.
    for (const event of events.filter((event) => subscriptionSide(event.type))) await feed(event);
    const row = (await t.ctx.db.query<{ id: string }>('SELECT id FROM subscriptions WHERE provider_subscription_id = $1', [subscription.id])).rows[0]!;
    expect(await applyDisputePolicy(t.ctx, dispute.id, { lastAttempt: false })).toEqual({ outcome: 'applied', policy: 'hold', canceledSubscription: row.id });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
  });

  it('on its last attempt takes an unlinked payment for a one-off and still holds the dispute', async () => {
    const started = await startStripeTestApp(kind);
    kit = started.kit;
    t = started.t;
    const { stripe } = started;
    t.ctx.clock = { now: () => kit!.sandbox.ctx.clock.now() };
    t.ctx.config = { ...t.ctx.config, DISPUTE_POLICY: 'hold' };

    const customer = await stripe.customers.create({ email: 'one-off@example.nl' });
    await stripe.paymentIntents.create({ amount: 4500, currency: 'eur', customer: customer.id, payment_method: 'pm_card_createDispute', confirm: true });
    const feed = eventFeeder(kit, t.ctx.db, t.ctx.clock);
    for (const event of await readAllEvents(stripe)) await feed(event);
    const dispute = (await t.ctx.db.query<{ id: string }>('SELECT id FROM disputes')).rows[0]!;

    await expect(applyDisputePolicy(t.ctx, dispute.id, { lastAttempt: false })).rejects.toThrow(/not linked to a subscription yet/);
    expect(await applyDisputePolicy(t.ctx, dispute.id, { lastAttempt: true })).toEqual({ outcome: 'applied', policy: 'hold', canceledSubscription: null });
    expect((await t.ctx.db.query('SELECT policy FROM disputes WHERE id = $1', [dispute.id])).rows).toEqual([{ policy: 'hold' }]);
  });
});
