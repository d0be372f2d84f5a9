import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { advanceDays, startStripe, type StripeKit } from './stripe-kit.ts';

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

/**
 * A renewal held for 3D Secure, paid on the hosted invoice page with another card than the
 * subscription's default. Stripe makes that card the subscription's default only when
 * `payment_settings.save_default_payment_method` is `on_subscription`; its default is `off`, and a
 * Checkout Session has no parameter for it (`subscription_data` carries no `payment_settings`), so
 * a Checkout-made subscription starts `off` and its next renewal asks the old card again.
 */
describe('paying a held renewal on the hosted invoice page with another card', () => {
  let kit: StripeKit;
  afterEach(() => kit.stop());

  async function subscribeThroughCheckout(stripe: Stripe): Promise<Stripe.Subscription> {
    const product = await stripe.products.create({ name: 'Club' });
    const monthly = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 2999, recurring: { interval: 'month' } });
    const customer = await stripe.customers.create({ email: 'another-card@example.nl' });
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', customer: customer.id, line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://shop.example/ok', cancel_url: 'https://shop.example/no' });
    const paid = await fetch(session.url!, form({ card: 'pm_card_authenticationRequired', action: 'authenticated' }));
    expect(paid.status).toBe(303);
    return stripe.subscriptions.retrieve((await stripe.checkout.sessions.retrieve(session.id)).subscription as string);
  }

  /** To the renewal (a month on), which waits for the customer; then pays it on the page with the Visa 4242. */
  async function payRenewalWithVisa(stripe: Stripe, subscription: string): Promise<Stripe.Invoice> {
    await advanceDays(kit.sandbox, 32);
    const held = (await stripe.subscriptions.retrieve(subscription, { expand: ['latest_invoice'] })).latest_invoice as Stripe.Invoice;
    expect(held).toMatchObject({ status: 'open', billing_reason: 'subscription_cycle' });
    const page = await (await fetch(held.hosted_invoice_url!)).text();
    expect(page).toContain('Pay with another card');
    const answer = await fetch(held.hosted_invoice_url!, form({ action: 'pay', card: 'pm_card_visa' }));
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('<span id="status">paid</span>');
    return stripe.invoices.retrieve(held.id!);
  }

  const cardOf = async (stripe: Stripe, paymentMethod: string | Stripe.PaymentMethod | null) => (await stripe.paymentMethods.retrieve(String(paymentMethod))).card?.last4;

  it('leaves a Checkout-made subscription (off) on its old card: the next renewal asks again', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const subscription = await subscribeThroughCheckout(stripe);
    expect(subscription.payment_settings?.save_default_payment_method).toBe('off');
    expect(await cardOf(stripe, subscription.default_payment_method)).toBe('3184');

    expect((await payRenewalWithVisa(stripe, subscription.id)).status).toBe('paid');
    expect(await cardOf(stripe, (await stripe.subscriptions.retrieve(subscription.id)).default_payment_method)).toBe('3184');
    await advanceDays(kit.sandbox, 31);
    const next = (await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] })) as Stripe.Subscription & { latest_invoice: Stripe.Invoice };
    expect(next.latest_invoice.status).toBe('open');
    expect(next.status).toBe('past_due');
  });

  it('makes the card that paid the default with on_subscription: the next renewal charges it', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const created = await subscribeThroughCheckout(stripe);
    const subscription = await stripe.subscriptions.update(created.id, { payment_settings: { save_default_payment_method: 'on_subscription' } });
    expect(subscription.payment_settings?.save_default_payment_method).toBe('on_subscription');

    expect((await payRenewalWithVisa(stripe, subscription.id)).status).toBe('paid');
    const after = await stripe.subscriptions.retrieve(subscription.id);
    expect(await cardOf(stripe, after.default_payment_method)).toBe('4242');
    const updated = (await stripe.events.list({ type: 'customer.subscription.updated', limit: 5 })).data.find((event) => (event.data.previous_attributes as { default_payment_method?: unknown } | undefined)?.default_payment_method !== undefined);
    expect(updated).toBeDefined();
    await advanceDays(kit.sandbox, 31);
    const next = (await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] })) as Stripe.Subscription & { latest_invoice: Stripe.Invoice };
    expect(next.latest_invoice).toMatchObject({ status: 'paid', billing_reason: 'subscription_cycle' });
    expect(next.status).toBe('active');
  });

  it('refuses an unknown setting, as Stripe does', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const created = await subscribeThroughCheckout(stripe);
    await expect(stripe.subscriptions.update(created.id, { payment_settings: { save_default_payment_method: 'always' as 'off' } })).rejects.toMatchObject({ type: 'StripeInvalidRequestError' });
  });
});
