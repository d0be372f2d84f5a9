import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { advanceDays, flushWebhooks, listenToAll, startStripe, type StripeKit, type WebhookReceiver } from './stripe-kit.ts';

const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Month boundaries counted from the anchor, clamped to short months (31 Jan -> 28 Feb -> 31 Mar). */
function monthlyBoundaries(anchorIso: string, until: number): number[] {
  const anchor = new Date(anchorIso);
  const result: number[] = [];
  for (let n = 0; ; n++) {
    const month = anchor.getUTCMonth() + n;
    const lastDay = new Date(Date.UTC(anchor.getUTCFullYear(), month + 1, 0)).getUTCDate();
    const boundary = Date.UTC(anchor.getUTCFullYear(), month, Math.min(anchor.getUTCDate(), lastDay)) / 1000;
    if (boundary > until) return result;
    result.push(boundary);
  }
}

const SETUP = ['product.created', 'price.created', 'customer.created', 'payment_method.attached', 'customer.subscription.created', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded'];
const PERIOD_START = ['customer.subscription.updated', 'invoice.created', 'invoice.finalized', 'payment_intent.created'];
const PAID = ['charge.succeeded', 'payment_intent.succeeded', 'invoice.paid', 'invoice.payment_succeeded'];
const FAILED = ['charge.failed', 'payment_intent.payment_failed', 'invoice.payment_failed'];

async function subscribeWithTrial(kit: StripeKit, card: string): Promise<{ receiver: WebhookReceiver; subscription: Stripe.Subscription }> {
  const receiver = await listenToAll(kit);
  const product = await kit.stripe.products.create({ name: 'Sports club monthly' });
  const price = await kit.stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 2999, recurring: { interval: 'month' } });
  const customer = await kit.stripe.customers.create({ email: 'jan@example.nl', payment_method: card, invoice_settings: { default_payment_method: card } });
  const subscription = await kit.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 30 });
  return { receiver, subscription };
}

function createdOf(receiver: WebhookReceiver, type: string): string[] {
  return receiver.deliveries.filter((d) => d.event.type === type).map((d) => new Date(d.event.created * 1000).toISOString().slice(0, 10));
}

describe('a monthly subscription with a 30-day trial over 400 days of sandbox time', () => {
  let kit: StripeKit | undefined;
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    await kit?.stop();
  });

  it('with a good card: trial_will_end on day 27, first charge on day 30, then one paid invoice per calendar month', async () => {
    kit = await startStripe();
    const started = await subscribeWithTrial(kit, 'pm_card_visa');
    receiver = started.receiver;
    expect(started.subscription).toMatchObject({ status: 'trialing', trial_end: at('2026-01-31T00:00:00Z') });
    await advanceDays(kit.sandbox, 400);
    await flushWebhooks(kit.sandbox);

    const end = at('2027-02-05T00:00:00Z');
    const renewals = monthlyBoundaries('2026-01-31T00:00:00Z', end);
    expect(renewals).toHaveLength(13);
    const expected = [...SETUP];
    renewals.forEach((_renewal, index) => {
      expected.push('invoice.upcoming');
      if (index === 0) expected.push('customer.subscription.trial_will_end');
      expect(index === 0 || _renewal > renewals[index - 1]!).toBe(true);
      expected.push(...PERIOD_START, ...PAID);
    });
    expect(receiver.types()).toEqual(expected);
    // Set-up, then per renewal: upcoming notice, 4 period-start and 4 payment events; one trial_will_end.
    expect(receiver.deliveries).toHaveLength(SETUP.length + 13 * 9 + 1);

    expect(createdOf(receiver, 'customer.subscription.trial_will_end')).toEqual(['2026-01-28']);
    expect(createdOf(receiver, 'charge.succeeded')).toEqual(renewals.map((r) => new Date(r * 1000).toISOString().slice(0, 10)));
    expect(createdOf(receiver, 'charge.succeeded').slice(0, 4)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    expect(createdOf(receiver, 'invoice.upcoming')[0]).toBe('2026-01-24');
    const firstUpdate = receiver.deliveries.find((d) => d.event.type === 'customer.subscription.updated')!.event;
    expect(firstUpdate.data.previous_attributes).toMatchObject({ status: 'trialing' });
    expect((firstUpdate.data.object as Stripe.Subscription).status).toBe('active');

    const subscription = await kit.stripe.subscriptions.retrieve(started.subscription.id);
    expect(subscription.status).toBe('active');
    expect(subscription.items.data[0]).toMatchObject({ current_period_start: at('2027-01-31T00:00:00Z'), current_period_end: at('2027-02-28T00:00:00Z') });
    const invoices = await kit.stripe.invoices.list({ subscription: subscription.id, limit: 100 });
    expect(invoices.data.filter((i) => i.amount_paid === 2999)).toHaveLength(13);
    expect(new Set(receiver.deliveries.map((d) => d.headers['stripe-signature']?.toString().startsWith('t=')))).toEqual(new Set([true]));
  });

  it('with a card that fails later: payment_failed, retries after 3, 5 and 7 days, then canceled', async () => {
    kit = await startStripe();
    const started = await subscribeWithTrial(kit, 'pm_card_chargeCustomerFail');
    receiver = started.receiver;
    await advanceDays(kit.sandbox, 400);
    await flushWebhooks(kit.sandbox);

    expect(receiver.types()).toEqual([
      ...SETUP,
      'invoice.upcoming',
      'customer.subscription.trial_will_end',
      ...PERIOD_START, ...FAILED, 'customer.subscription.updated',
      ...FAILED,
      ...FAILED,
      ...FAILED, 'customer.subscription.deleted',
    ]);
    expect(createdOf(receiver, 'invoice.payment_failed')).toEqual(['2026-01-31', '2026-02-03', '2026-02-08', '2026-02-15']);
    const failures = receiver.deliveries.filter((d) => d.event.type === 'invoice.payment_failed').map((d) => d.event.data.object as Stripe.Invoice);
    expect(failures.map((i) => i.attempt_count)).toEqual([1, 2, 3, 4]);
    expect(failures.map((i) => i.next_payment_attempt)).toEqual([at('2026-02-03T00:00:00Z'), at('2026-02-08T00:00:00Z'), at('2026-02-15T00:00:00Z'), null]);
    const declined = receiver.deliveries.find((d) => d.event.type === 'charge.failed')!.event.data.object as Stripe.Charge;
    expect(declined).toMatchObject({ failure_code: 'card_declined', outcome: { reason: 'generic_decline' } });
    const pastDue = receiver.deliveries.filter((d) => d.event.type === 'customer.subscription.updated')[1]!.event;
    expect(pastDue.data.previous_attributes).toEqual({ status: 'active' });

    const subscription = await kit.stripe.subscriptions.retrieve(started.subscription.id);
    expect(subscription).toMatchObject({ status: 'canceled', ended_at: at('2026-02-15T00:00:00Z'), cancellation_details: { reason: 'payment_failed' } });
  });

  it('with the end state set to unpaid: the subscription stays, unpaid, and later invoices stay drafts', async () => {
    kit = await startStripe({ afterFinalFailure: 'unpaid' });
    const started = await subscribeWithTrial(kit, 'pm_card_chargeCustomerFail');
    receiver = started.receiver;
    await advanceDays(kit.sandbox, 400);
    await flushWebhooks(kit.sandbox);

    const drafts = monthlyBoundaries('2026-01-31T00:00:00Z', at('2027-02-05T00:00:00Z')).slice(1);
    expect(drafts).toHaveLength(12);
    expect(receiver.types()).toEqual([
      ...SETUP,
      'invoice.upcoming',
      'customer.subscription.trial_will_end',
      ...PERIOD_START, ...FAILED, 'customer.subscription.updated',
      ...FAILED,
      ...FAILED,
      ...FAILED, 'customer.subscription.updated',
      ...drafts.flatMap(() => ['customer.subscription.updated', 'invoice.created']),
    ]);
    const subscription = await kit.stripe.subscriptions.retrieve(started.subscription.id);
    expect(subscription.status).toBe('unpaid');
    const open = await kit.stripe.invoices.list({ subscription: subscription.id, status: 'draft', limit: 100 });
    expect(open.data).toHaveLength(12);
  });

  it('retry schedule and end state are settings of the sandbox', async () => {
    kit = await startStripe({ retryScheduleDays: [1], afterFinalFailure: 'past_due', upcomingInvoiceDays: 0 });
    const started = await subscribeWithTrial(kit, 'pm_card_chargeCustomerFail');
    receiver = started.receiver;
    await advanceDays(kit.sandbox, 33);
    await flushWebhooks(kit.sandbox);
    expect(createdOf(receiver, 'invoice.payment_failed')).toEqual(['2026-01-31', '2026-02-01']);
    expect(receiver.types()).not.toContain('invoice.upcoming');
    expect((await kit.stripe.subscriptions.retrieve(started.subscription.id)).status).toBe('past_due');
  });
});
