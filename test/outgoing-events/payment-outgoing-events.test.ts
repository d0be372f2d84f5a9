import { afterEach, describe, expect, it } from 'vitest';
import { advanceSandboxDays, signUp } from '../notifications/notice-scenario-kit.ts';
import { startRunningRecur, waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { eventsOf, expectIncreasingSequences, typesOf } from './outgoing-events-kit.ts';

describe.each(testDatabaseKinds)('outgoing payment events from Stripe on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  });

  it('records each refund with the refunded total, and a dispute with the payment it disputes', async () => {
    recur = await startRunningRecur(kind);
    const running = recur;
    const stripe = running.kit.stripe;
    const db = running.t.ctx.db;
    await signUp(running, { externalId: 'shop-9001', email: 'lotte@example.nl', name: 'Lotte', plan: 'monthly', card: 'pm_card_visa' });
    await running.startWorker();
    await advanceSandboxDays(running, 31);
    await waitUntilSettled(running);
    const paid = (await eventsOf(db, 'shop-9001')).find((event) => event.type === 'payment.succeeded')!;
    const intent = String(paid.data['provider_payment_id']);

    // A partial refund, then the rest: two facts, each with the total refunded so far.
    await stripe.refunds.create({ payment_intent: intent, amount: 1000 });
    await waitUntilSettled(running);
    await stripe.refunds.create({ payment_intent: intent });
    await waitUntilSettled(running);
    const refunds = (await eventsOf(db, 'shop-9001')).filter((event) => event.type === 'payment.refunded');
    expect(refunds.map((event) => [event.businessKey, event.data['status'], event.data['amount_refunded_minor']])).toEqual([
      [`payment.refunded:${String(paid.data['id'])}:1000`, 'partially_refunded', 1000],
      [`payment.refunded:${String(paid.data['id'])}:2999`, 'refunded', 2999],
    ]);
    expect(refunds.every((event) => event.data['amount_minor'] === 2999 && event.data['customer'] === 'shop-9001')).toBe(true);

    // A customer made at Stripe, whose card's payment is disputed at once (pm_card_createDispute).
    const customer = await stripe.customers.create({ email: 'chargeback@example.nl', payment_method: 'pm_card_createDispute', invoice_settings: { default_payment_method: 'pm_card_createDispute' } });
    const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
    await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const [dispute] = (await stripe.disputes.list({ limit: 1 })).data;
    await waitUntilSettled(running);
    const events = await eventsOf(db, `stripe:${customer.id}`);
    expect(typesOf(events)).toEqual(expect.arrayContaining(['customer.created', 'subscription.created', 'subscription.activated', 'payment.succeeded', 'payment.disputed']));
    const disputed = events.filter((event) => event.type === 'payment.disputed');
    expect(disputed).toHaveLength(1);
    expect(disputed[0]!.data).toMatchObject({
      customer: `stripe:${customer.id}`,
      provider_payment_id: String(dispute!.payment_intent),
      amount_minor: 2999,
      dispute: { provider_dispute_id: dispute!.id, amount_minor: dispute!.amount, reason: 'fraudulent' },
    });
    expect(disputed[0]!.occurredAt).toBe(new Date(dispute!.created * 1000).toISOString());
    expectIncreasingSequences(events);
  }, 300_000);
});
