import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { advanceDays } from '../sandbox/stripe/stripe-kit.ts';
import { eventFeeder, readAllEvents, startStripeTestApp } from '../stripe/stripe-test-kit.ts';
import type { PaymentStatus } from '../../src/db/repositories/payment-repository.ts';
import { scheduleDueNotices } from '../../src/notifications/schedule-due-notices.ts';
import type { ProviderPayment, ProviderSubscription } from '../../src/providers/payments/provider-objects.ts';
import { recordProviderPayment } from '../../src/services/sync/record-provider-payment.ts';
import { recordProviderSubscription } from '../../src/services/sync/record-provider-subscription.ts';
import { seedCustomer } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { entitlementPolicyOf } from '../../src/services/entitlement/entitlement-policy.ts';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);
const later = (date: Date, ms: number) => new Date(date.getTime() + ms);

type OutboxRow = { business_key: string; channel: string; template: string; status: string; payload: Record<string, unknown> };

/**
 * The hooks run inside recordProviderSubscription and recordProviderPayment: the one write path
 * of the checkout redirect, the webhook processor, subscription changes and reconciliation.
 */
describe.each(testDatabaseKinds)('notices decided by recorded changes (%s)', (kind) => {
  let t: TestApp;
  let customerId: string;
  const signUp = at('2026-03-01T10:00:00.000Z');
  const trialEnd = at('2026-03-31T10:00:00.000Z');

  beforeEach(async () => {
    t = await startTestApp(kind);
    customerId = await seedCustomer(t, 'hooked', { locale: 'nl' });
  });
  afterEach(async () => {
    await t.close();
  });

  const outbox = async (): Promise<OutboxRow[]> =>
    (await t.ctx.db.query<OutboxRow>('SELECT business_key, channel, template, status, payload FROM notification_outbox ORDER BY created_at, business_key')).rows;

  const stripeSubscription = (id: string, changes: Partial<ProviderSubscription> = {}): ProviderSubscription => ({
    id,
    providerCustomerId: 'cus_hooked',
    status: 'trialing',
    priceId: 'price_monthly',
    priceLookupKey: 'recur_monthly',
    signedUpAt: signUp,
    trialEnd,
    currentPeriodStart: signUp,
    currentPeriodEnd: trialEnd,
    cancelAtPeriodEnd: false,
    canceledAt: null,
    metadata: {},
    ...changes,
  });
  const recordSubscription = async (subscription: ProviderSubscription, version: Date) => {
    const recorded = await t.ctx.db.transaction((tx) =>
      recordProviderSubscription(tx, { provider: 'stripe', customerId, subscription, version, plans: t.ctx.config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(t.ctx.config), now: version, actor: 'test' }),
    );
    if (recorded.outcome === 'not_recorded') throw new Error(recorded.reason);
    return recorded.subscriptionId;
  };
  const stripePayment = (id: string, status: PaymentStatus, amountMinor = 2999, amountRefundedMinor = 0, facts: Partial<Pick<ProviderPayment, 'paidAt' | 'failedAt'>> = {}): ProviderPayment => ({
    id,
    providerCustomerId: 'cus_hooked',
    providerSubscriptionId: 'sub_hooked',
    amountMinor,
    currency: 'EUR',
    amountRefundedMinor,
    status,
    methodSummary: 'visa •••• 4242',
    at: trialEnd,
    paidAt: null,
    failedAt: null,
    ...facts,
  });
  const recordPayment = (subscriptionId: string | null, payment: ProviderPayment, version: Date) =>
    t.ctx.db.transaction((tx) =>
      recordProviderPayment(tx, { provider: 'stripe', customerId, subscriptionId, payment, version, plans: t.ctx.config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(t.ctx.config), now: version, actor: 'test' }),
    );
  const paymentId = async (providerPaymentId: string) => (await t.ctx.db.query<{ id: string }>('SELECT id FROM payments WHERE provider_payment_id = $1', [providerPaymentId])).rows[0]!.id;

  describe('enrolment', () => {
    it('confirms a trial once, with the plan price and the trial end as the first charge, however often it is recorded', async () => {
      const id = await recordSubscription(stripeSubscription('sub_hooked'), signUp);
      await recordSubscription(stripeSubscription('sub_hooked'), signUp);
      await recordSubscription(stripeSubscription('sub_hooked', { metadata: { again: 'yes' } }), later(signUp, 1000));
      await recordSubscription(stripeSubscription('sub_hooked', { status: 'active', trialEnd, currentPeriodStart: trialEnd, currentPeriodEnd: later(trialEnd, 31 * DAY) }), later(trialEnd, 1000));

      const rows = await outbox();
      expect(rows.map((row) => [row.business_key, row.template, row.channel])).toEqual([[`enrolment:${id}`, 'enrolment-confirmation', 'email']]);
      expect(rows[0]!.payload).toEqual({
        subscription_id: id,
        customer_name: null,
        plan_name: 'Maandelijks',
        interval: 'month',
        amount_minor: 2999,
        currency: 'EUR',
        trial_end: trialEnd.toISOString(),
        next_charge_at: trialEnd.toISOString(),
      });
    });

    it('confirms a subscription whose first payment completes it, and not while it is incomplete', async () => {
      const id = await recordSubscription(stripeSubscription('sub_hooked', { status: 'incomplete', trialEnd: null }), signUp);
      expect(await outbox()).toEqual([]);
      await recordSubscription(stripeSubscription('sub_hooked', { status: 'active', trialEnd: null }), later(signUp, 1000));
      expect((await outbox()).map((row) => row.business_key)).toEqual([`enrolment:${id}`]);
    });
  });

  describe('payments', () => {
    it('sends a receipt for 2999 once, and none for a 0 trial invoice', async () => {
      const id = await recordSubscription(stripeSubscription('sub_hooked'), signUp);
      await recordPayment(id, stripePayment('pi_trial', 'succeeded', 0), signUp);
      await recordPayment(id, stripePayment('pi_first', 'pending'), trialEnd);
      await recordPayment(id, stripePayment('pi_first', 'succeeded'), later(trialEnd, 1000));
      await recordPayment(id, stripePayment('pi_first', 'succeeded'), later(trialEnd, 2000));

      const receipts = (await outbox()).filter((row) => row.template === 'receipt');
      const first = await paymentId('pi_first');
      expect(receipts.map((row) => row.business_key)).toEqual([`receipt:${first}`]);
      expect(receipts[0]!.payload).toMatchObject({
        subscription_id: id,
        amount_minor: 2999,
        payment: { payment_id: first, amount_minor: 2999, currency: 'EUR', paid_at: trialEnd.toISOString(), method_summary: 'visa •••• 4242' },
      });
    });

    it('sends a refund receipt each time the refunded total grows', async () => {
      const id = await recordSubscription(stripeSubscription('sub_hooked'), signUp);
      await recordPayment(id, stripePayment('pi_first', 'succeeded'), trialEnd);
      await recordPayment(id, stripePayment('pi_first', 'partially_refunded', 2999, 1000), later(trialEnd, DAY));
      await recordPayment(id, stripePayment('pi_first', 'partially_refunded', 2999, 1000), later(trialEnd, DAY + 1000));
      await recordPayment(id, stripePayment('pi_first', 'refunded', 2999, 2999), later(trialEnd, 2 * DAY));

      const first = await paymentId('pi_first');
      const refunds = (await outbox()).filter((row) => row.template === 'refund-receipt');
      expect(refunds.map((row) => [row.business_key, row.payload['refunded_minor'], row.payload['refunded_total_minor']])).toEqual([
        [`refund:${first}:1000`, 1000, 1000],
        [`refund:${first}:2999`, 1999, 2999],
      ]);
    });

    it('tells the customer once that a payment failed, with the amount due and the failure\'s time (not the reporting event\'s)', async () => {
      const id = await recordSubscription(stripeSubscription('sub_hooked'), signUp);
      const failedAt = later(trialEnd, 60_000);
      // Heard of days later, from the retry's events: their time is not when it failed.
      await recordPayment(id, stripePayment('pi_first', 'failed', 2999, 0, { failedAt }), later(failedAt, 3 * DAY));
      await recordPayment(id, stripePayment('pi_first', 'failed', 2999, 0, { failedAt }), later(failedAt, 3 * DAY + 1000));

      const failed = (await outbox()).filter((row) => row.template === 'payment-failed');
      expect(failed.map((row) => row.business_key)).toEqual([`payment-failed:${await paymentId('pi_first')}`]);
      expect(failed[0]!.payload).toMatchObject({ subscription_id: id, amount_due_minor: 2999, failed_at: failedAt.toISOString() });
    });

    it('sends nothing about a payment that pays no subscription', async () => {
      await recordPayment(null, stripePayment('pi_one_time', 'succeeded'), signUp);
      await recordPayment(null, stripePayment('pi_one_time_failed', 'failed'), signUp);
      expect(await outbox()).toEqual([]);
    });

    it('cancels the waiting payment-failed and dunning notices when the subscription is paid', async () => {
      const id = await recordSubscription(stripeSubscription('sub_hooked'), signUp);
      const failedAt = later(trialEnd, 1000);
      await recordPayment(id, stripePayment('pi_first', 'failed'), failedAt);
      await recordSubscription(stripeSubscription('sub_hooked', { status: 'past_due', currentPeriodStart: trialEnd, currentPeriodEnd: later(trialEnd, 31 * DAY) }), failedAt);
      await scheduleDueNotices(t.ctx, later(failedAt, 3 * DAY));
      expect((await outbox()).filter((row) => row.status === 'pending').map((row) => row.template)).toEqual(['enrolment-confirmation', 'payment-failed', 'dunning-reminder']);

      const paidAt = later(failedAt, 4 * DAY);
      await recordPayment(id, stripePayment('pi_first', 'succeeded'), paidAt);
      await recordSubscription(stripeSubscription('sub_hooked', { status: 'active', currentPeriodStart: trialEnd, currentPeriodEnd: later(trialEnd, 31 * DAY) }), paidAt);

      const rows = await outbox();
      expect(rows.map((row) => [row.template, row.status])).toEqual([
        ['enrolment-confirmation', 'pending'],
        ['payment-failed', 'canceled'],
        ['dunning-reminder', 'canceled'],
        ['receipt', 'pending'],
      ]);
      expect(await scheduleDueNotices(t.ctx, later(failedAt, 14 * DAY))).toEqual({ written: 0 });
    });
  });

  describe('cancellation', () => {
    const periodEnd = later(signUp, 31 * DAY);
    const active = (changes: Partial<ProviderSubscription> = {}) =>
      stripeSubscription('sub_hooked', { status: 'active', trialEnd: null, currentPeriodStart: signUp, currentPeriodEnd: periodEnd, ...changes });
    const confirmations = async () =>
      (await outbox()).filter((row) => row.template === 'cancellation-confirmation').map((row) => [row.business_key, row.payload['ends_at'], row.payload['canceled_at'], row.payload['next_charge_at']]);

    it('confirms a cancel at period end with that end date, and nothing more when the subscription ends then', async () => {
      const id = await recordSubscription(active(), signUp);
      const askedAt = later(signUp, 5 * DAY);
      await recordSubscription(active({ cancelAtPeriodEnd: true, canceledAt: askedAt }), askedAt);
      await recordSubscription(active({ cancelAtPeriodEnd: true, canceledAt: askedAt, metadata: { note: 'redelivered' } }), later(askedAt, 1000));
      await recordSubscription(active({ status: 'canceled', cancelAtPeriodEnd: true, canceledAt: askedAt }), periodEnd);

      expect(await confirmations()).toEqual([[`cancellation:${id}:1`, periodEnd.toISOString(), askedAt.toISOString(), null]]);
    });

    it('confirms an immediate cancel with its own end', async () => {
      const id = await recordSubscription(active(), signUp);
      const canceledAt = later(signUp, 9 * DAY);
      await recordSubscription(active({ status: 'canceled', canceledAt }), canceledAt);
      await recordSubscription(active({ status: 'canceled', canceledAt, metadata: { note: 'redelivered' } }), later(canceledAt, 1000));

      expect(await confirmations()).toEqual([[`cancellation:${id}:1`, canceledAt.toISOString(), canceledAt.toISOString(), null]]);
    });

    it('confirms again after a resume and a new cancel, even within the same provider second', async () => {
      const id = await recordSubscription(active(), signUp);
      const askedAt = later(signUp, 5 * DAY);
      await recordSubscription(active({ cancelAtPeriodEnd: true, canceledAt: askedAt }), askedAt);
      await recordSubscription(active(), askedAt);
      await recordSubscription(active({ cancelAtPeriodEnd: true, canceledAt: askedAt }), askedAt);

      expect(await confirmations()).toEqual([
        [`cancellation:${id}:1`, periodEnd.toISOString(), askedAt.toISOString(), null],
        [`cancellation:${id}:2`, periodEnd.toISOString(), askedAt.toISOString(), null],
      ]);
    });

    it('confirms nothing for a subscription first seen already ended, or a first payment that expired', async () => {
      await recordSubscription(stripeSubscription('sub_old', { status: 'canceled', canceledAt: signUp }), signUp);
      await recordSubscription(stripeSubscription('sub_expired', { status: 'incomplete', trialEnd: null }), signUp);
      await recordSubscription(stripeSubscription('sub_expired', { status: 'incomplete_expired', trialEnd: null, canceledAt: later(signUp, DAY) }), later(signUp, DAY));
      expect(await outbox()).toEqual([]);
    });
  });
});

/** The same hooks on the real path: the sandbox's checkout, the redirect back, and every Stripe event applied twice. */
describe.each(testDatabaseKinds)('notices from a Stripe subscription in the sandbox (%s)', (kind) => {
  it('confirms the enrolment once, sends one receipt for the first charge and one confirmation of a cancel at period end', async () => {
    const { kit, stripe, t } = await startStripeTestApp(kind);
    try {
      const feed = eventFeeder(kit, t.ctx.db, t.clock);
      const feedAllTwice = async () => {
        const events = await readAllEvents(stripe);
        for (const event of [...events, ...events]) await feed(event);
      };
      const notices = async () => (await t.ctx.db.query<{ template: string; amount: number | null }>("SELECT template, (payload->'payment'->>'amount_minor')::int AS amount FROM notification_outbox ORDER BY created_at, template")).rows;
      await seedCustomer(t, 'shop-5001');
      const started = await t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { authorization: t.auth }, payload: { customer: 'shop-5001', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/' } });
      const { url, session_id } = started.json() as { url: string; session_id: string };
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card: 'pm_card_visa', action: 'pay' }).toString(), redirect: 'manual' });
      expect((await t.app.inject({ method: 'GET', url: `/checkout/stripe/return?session_id=${session_id}` })).statusCode).toBe(303);
      await feedAllTwice();
      expect(await notices()).toEqual([{ template: 'enrolment-confirmation', amount: null }]);

      await advanceDays(kit.sandbox, 31);
      await feedAllTwice();
      expect(await notices()).toEqual([
        { template: 'enrolment-confirmation', amount: null },
        { template: 'receipt', amount: 2999 },
      ]);

      const subscription = (await stripe.checkout.sessions.retrieve(session_id)).subscription as string;
      await stripe.subscriptions.update(subscription, { cancel_at_period_end: true });
      await feedAllTwice();
      const confirmations = await t.ctx.db.query<{ ends_at: string }>("SELECT payload->>'ends_at' AS ends_at FROM notification_outbox WHERE template = 'cancellation-confirmation'");
      const periodEnd = (await stripe.subscriptions.retrieve(subscription)).items.data[0]!.current_period_end;
      expect(confirmations.rows).toEqual([{ ends_at: new Date(periodEnd * 1000).toISOString() }]);
    } finally {
      await t.close();
      await kit.stop();
    }
  });
});
