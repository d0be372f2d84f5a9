import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { advanceDays, flushWebhooks, intentOfInvoice, listenToAll, startStripe, type StripeKit, type WebhookReceiver } from './stripe-kit.ts';

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

type InvoiceWithIntent = Stripe.Invoice & { payment_intent: Stripe.PaymentIntent };

/**
 * A card that needs 3D Secure on every payment (Stripe's 3184): the customer authenticated it once
 * at sign-up, so the first charge goes through; the off-session renewal after it needs the
 * customer again, on the hosted invoice page.
 */
describe('a renewal that needs strong customer authentication', () => {
  let kit: StripeKit;
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await kit.stop();
  });

  async function subscribeWithAuthenticatedCard(stripe: Stripe) {
    const product = await stripe.products.create({ name: 'Club' });
    const monthly = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 2999, recurring: { interval: 'month' } });
    const customer = await stripe.customers.create({ email: 'sca@example.nl' });
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', customer: customer.id, line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://shop.example/ok', cancel_url: 'https://shop.example/no' });
    const challenged = await fetch(session.url!, form({ card: 'pm_card_authenticationRequired', action: 'pay' }));
    expect(await challenged.text()).toContain('Complete authentication');
    const paid = await fetch(session.url!, { ...form({ card: 'pm_card_authenticationRequired', action: 'authenticated' }), redirect: 'manual' });
    expect(paid.status).toBe(303);
    const subscription = (await stripe.checkout.sessions.retrieve(session.id)).subscription as string;
    return { customer, subscription };
  }

  // Since API version basil an invoice has no payment_intent: the one its payments name is put beside it.
  const latestInvoice = async (stripe: Stripe, subscription: string): Promise<InvoiceWithIntent> => {
    const invoice = (await stripe.subscriptions.retrieve(subscription, { expand: ['latest_invoice'] })).latest_invoice as Stripe.Invoice;
    return { ...invoice, payment_intent: await intentOfInvoice(stripe, invoice) };
  };

  it('sets the first payment up for off-session use, then asks at renewal and is paid on the hosted invoice page', async () => {
    kit = await startStripe();
    receiver = await listenToAll(kit);
    const { stripe } = kit;
    const { subscription } = await subscribeWithAuthenticatedCard(stripe);
    const first = await latestInvoice(stripe, subscription);
    expect(first).toMatchObject({ status: 'paid', billing_reason: 'subscription_create' });
    expect(first.payment_intent).toMatchObject({ status: 'succeeded', setup_future_usage: 'off_session' });

    await advanceDays(kit.sandbox, 32);
    const renewal = await latestInvoice(stripe, subscription);
    expect(renewal).toMatchObject({ status: 'open', billing_reason: 'subscription_cycle', attempt_count: 1 });
    expect(renewal.payment_intent.status).toBe('requires_action');
    expect(renewal.next_payment_attempt).toBe(renewal.status_transitions.finalized_at! + 3 * 86_400);
    expect((await stripe.subscriptions.retrieve(subscription)).status).toBe('past_due');
    await flushWebhooks(kit.sandbox);
    const asked = receiver.deliveries.filter((d) => d.event.type === 'invoice.payment_action_required');
    expect(asked.map((d) => (d.event.data.object as Stripe.Invoice).id)).toEqual([renewal.id]);
    expect((asked[0]!.event.data.object as Stripe.Invoice).hosted_invoice_url).toBe(renewal.hosted_invoice_url);

    const page = await (await fetch(renewal.hosted_invoice_url!)).text();
    expect(page).toContain('Your bank asks you to confirm the payment of 29.99 EUR');
    const completed = await fetch(renewal.hosted_invoice_url!, form({ action: 'complete' }));
    expect(completed.status).toBe(200);
    expect(await completed.text()).toContain('<span id="status">paid</span>');
    expect(await latestInvoice(stripe, subscription)).toMatchObject({ status: 'paid', next_payment_attempt: null, payment_intent: { status: 'succeeded' } });
    expect((await stripe.subscriptions.retrieve(subscription)).status).toBe('active');
    await flushWebhooks(kit.sandbox);
    const afterChallenge = receiver.types().slice(receiver.types().lastIndexOf('invoice.payment_action_required'));
    expect(afterChallenge).toEqual(expect.arrayContaining(['payment_intent.succeeded', 'invoice.paid', 'customer.subscription.updated']));
    // Paid: nothing left to authenticate.
    expect((await fetch(renewal.hosted_invoice_url!, form({ action: 'complete' }))).status).toBe(409);
  });

  it('leaves the invoice unpaid when the challenge fails, asks again at every retry, and ends the subscription after the last', async () => {
    kit = await startStripe({ retryScheduleDays: [3, 5], afterFinalFailure: 'canceled' });
    receiver = await listenToAll(kit);
    const { stripe } = kit;
    const { subscription } = await subscribeWithAuthenticatedCard(stripe);
    await advanceDays(kit.sandbox, 32);
    const renewal = await latestInvoice(stripe, subscription);
    const failed = await fetch(renewal.hosted_invoice_url!, form({ action: 'fail' }));
    expect(await failed.text()).toContain('We are unable to authenticate your payment method');
    expect(await latestInvoice(stripe, subscription)).toMatchObject({ status: 'open', payment_intent: { status: 'requires_payment_method', last_payment_error: { code: 'payment_intent_authentication_failure' } } });
    await flushWebhooks(kit.sandbox);
    expect(receiver.types()).toContain('payment_intent.payment_failed');

    // The retry 3 days later is off-session again: the card asks again, it does not pay.
    await advanceDays(kit.sandbox, 3);
    expect(await latestInvoice(stripe, subscription)).toMatchObject({ status: 'open', attempt_count: 2, payment_intent: { status: 'requires_action' } });
    expect((await stripe.subscriptions.retrieve(subscription)).status).toBe('past_due');
    await advanceDays(kit.sandbox, 5);
    expect(await latestInvoice(stripe, subscription)).toMatchObject({ attempt_count: 3, next_payment_attempt: null });
    expect((await stripe.subscriptions.retrieve(subscription)).status).toBe('canceled');
    await flushWebhooks(kit.sandbox);
    const asked = receiver.deliveries.filter((d) => d.event.type === 'invoice.payment_action_required');
    expect(asked.map((d) => (d.event.data.object as Stripe.Invoice).attempt_count)).toEqual([1, 2, 3]);
    expect(receiver.types()).toContain('customer.subscription.deleted');
  });
});
