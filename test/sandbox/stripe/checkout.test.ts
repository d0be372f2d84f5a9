import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceDays, flushWebhooks, listenToAll, startStripe, type StripeKit, type WebhookReceiver } from './stripe-kit.ts';

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

describe('Checkout sessions, the hosted payment page and the billing portal', () => {
  let kit: StripeKit;
  let stripe: Stripe;
  let receiver: WebhookReceiver;
  let monthly: Stripe.Price;
  let racket: Stripe.Price;
  beforeAll(async () => {
    kit = await startStripe();
    stripe = kit.stripe;
    receiver = await listenToAll(kit);
    monthly = await stripe.prices.create({ currency: 'eur', unit_amount: 2999, recurring: { interval: 'month' }, product_data: { name: 'Club monthly' } });
    racket = await stripe.prices.create({ currency: 'eur', unit_amount: 8900, product_data: { name: 'Racket' } });
  });
  afterAll(async () => {
    await receiver.close();
    await kit.stop();
  });
  const sessionEvents = async (id: string) => {
    await flushWebhooks(kit.sandbox);
    return receiver.deliveries.filter((d) => (d.event.data.object as { id: string }).id === id).map((d) => d.event.type);
  };

  it('subscribes through the hosted page: a customer and a trialing subscription, then 303 to success_url', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: monthly.id, quantity: 1 }],
      customer_email: 'sanne@example.nl',
      client_reference_id: 'user-17',
      metadata: { plan: 'monthly' },
      success_url: 'https://shop.example/welcome?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://shop.example/plans',
      locale: 'nl',
      allow_promotion_codes: true,
      subscription_data: { trial_period_days: 30, metadata: { source: 'checkout' } },
    });
    expect(session).toMatchObject({ status: 'open', payment_status: 'unpaid', amount_total: 2999, currency: 'eur', url: `${kit.sandbox.url}/stripe/checkout/${session.id}`, customer: null, subscription: null, locale: 'nl' });
    const page = await fetch(session.url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('pm_card_visa');
    const paid = await fetch(session.url!, form({ card: 'pm_card_visa', action: 'pay' }));
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`https://shop.example/welcome?session_id=${session.id}`);
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription', 'customer', 'line_items'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'no_payment_required', client_reference_id: 'user-17', customer_details: { email: 'sanne@example.nl' } });
    expect((done.customer as Stripe.Customer).email).toBe('sanne@example.nl');
    expect(done.subscription as Stripe.Subscription).toMatchObject({ status: 'trialing', metadata: { source: 'checkout' } });
    expect(done.line_items?.data[0]).toMatchObject({ quantity: 1, amount_total: 2999 });
    expect(await sessionEvents(session.id)).toEqual(['checkout.session.completed']);
    const completed = receiver.deliveries.find((d) => d.event.type === 'checkout.session.completed')!.event.data.object as Stripe.Checkout.Session;
    expect(completed.subscription).toBe((done.subscription as Stripe.Subscription).id);
  });

  it('pays once (mode payment); a declined card keeps the session open and the page says why; cancel goes to cancel_url', async () => {
    const session = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: racket.id, quantity: 2 }], success_url: 'https://shop.example/thanks', cancel_url: 'https://shop.example/cart' });
    expect(session.amount_total).toBe(17800);
    const declined = await fetch(session.url!, form({ card: 'pm_card_chargeDeclined', action: 'pay', email: 'kim@example.nl' }));
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain('Your card was declined.');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    const canceled = await fetch(session.url!, form({ action: 'cancel' }));
    expect(canceled.headers.get('location')).toBe('https://shop.example/cart');
    const paid = await fetch(session.url!, form({ card: 'pm_card_visa', action: 'pay', email: 'kim@example.nl' }));
    expect(paid.headers.get('location')).toBe('https://shop.example/thanks');
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', customer: null, customer_details: { email: 'kim@example.nl' } });
    expect((done.payment_intent as Stripe.PaymentIntent).amount_received).toBe(17800);
  });

  it('asks for 3D Secure on the page before paying', async () => {
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://shop.example/ok' });
    const challenge = await fetch(session.url!, form({ card: 'pm_card_authenticationRequired', action: 'pay', email: 'a@example.nl' }));
    expect(await challenge.text()).toContain('Complete authentication');
    const done = await fetch(session.url!, form({ card: 'pm_card_authenticationRequired', action: 'authenticated', email: 'a@example.nl' }));
    expect(done.status).toBe(303);
    const finished = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    expect(finished).toMatchObject({ payment_status: 'paid' });
    expect((finished.subscription as Stripe.Subscription).status).toBe('active');
  });

  it('expires sessions on request and after 24 hours (checkout.session.expired)', async () => {
    const byRequest = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: racket.id, quantity: 1 }], success_url: 'https://shop.example/ok' });
    expect(await stripe.checkout.sessions.expire(byRequest.id)).toMatchObject({ status: 'expired', url: null });
    await expect(stripe.checkout.sessions.expire(byRequest.id)).rejects.toMatchObject({ statusCode: 400 });
    const byClock = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: racket.id, quantity: 1 }], success_url: 'https://shop.example/ok' });
    await advanceDays(kit.sandbox, 1);
    expect((await stripe.checkout.sessions.retrieve(byClock.id)).status).toBe('expired');
    expect(await sessionEvents(byClock.id)).toEqual(['checkout.session.expired']);
    const listed = await stripe.checkout.sessions.list({ status: 'expired' });
    expect(listed.data.map((s) => s.id)).toEqual([byClock.id, byRequest.id]);
  });

  it('opens a billing portal session whose page cancels at period end', async () => {
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'https://shop.example/account' });
    expect(portal).toMatchObject({ object: 'billing_portal.session', customer: customer.id, return_url: 'https://shop.example/account', url: `${kit.sandbox.url}/stripe/billing_portal/${portal.id}` });
    expect(await (await fetch(portal.url)).text()).toContain('Cancel at period end');
    const answer = await fetch(portal.url, form({ subscription: subscription.id, action: 'cancel' }));
    expect(answer.status).toBe(303);
    expect((await stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(true);
    const stranger = await stripe.customers.create({});
    const foreign = await stripe.billingPortal.sessions.create({ customer: stranger.id });
    expect((await fetch(foreign.url, form({ subscription: subscription.id, action: 'renew' }))).status).toBe(404);
  });
});
