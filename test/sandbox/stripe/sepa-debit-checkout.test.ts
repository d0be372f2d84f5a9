import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { advanceSeconds, bankSession, eventsAbout, IBAN, payWithIban, SUCCESS_URL } from './bank-checkout-kit.ts';
import { advanceDays, intentOfInvoice, startStripe, type StripeKit } from './stripe-kit.ts';

describe('Checkout with SEPA Direct Debit entered on the page: a mandate, a first payment that processes', () => {
  let kit: StripeKit;
  let stripe: Stripe;
  beforeEach(async () => {
    kit = await startStripe();
    stripe = kit.stripe;
  });
  afterEach(() => kit.stop());

  const read = async (session: Stripe.Checkout.Session) => {
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription', 'invoice'] });
    return { done, subscription: done.subscription as Stripe.Subscription, invoice: done.invoice as Stripe.Invoice };
  };

  it('completes unpaid while the debit processes (subscription incomplete, invoice open), then async_payment_succeeded', async () => {
    const session = await bankSession(stripe, { types: ['sepa_debit'] });
    const paid = await payWithIban(session, IBAN.succeedsLater);
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(SUCCESS_URL.replace('{CHECKOUT_SESSION_ID}', session.id));

    const processing = await read(session);
    expect(processing.done).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    expect(processing.subscription.status).toBe('incomplete');
    expect(processing.invoice.status).toBe('open');
    const intent = await intentOfInvoice(stripe, processing.invoice);
    expect(intent.status).toBe('processing');
    const paymentMethod = await stripe.paymentMethods.retrieve(String(processing.subscription.default_payment_method));
    expect(paymentMethod).toMatchObject({ type: 'sepa_debit', customer: processing.done.customer, billing_details: { name: 'Sanne de Vries' }, sepa_debit: { last4: '3204', generated_from: { charge: null, setup_attempt: null } } });
    const charge = await stripe.charges.retrieve(String(intent.latest_charge));
    const mandate = charge.payment_method_details?.sepa_debit?.mandate;
    expect(charge).toMatchObject({ status: 'pending', payment_method_details: { type: 'sepa_debit', sepa_debit: { bank_code: '19043', country: 'AT', last4: '3204', fingerprint: paymentMethod.sepa_debit!.fingerprint, mandate: expect.stringMatching(/^mandate_/) } } });
    expect(await stripe.mandates.retrieve(String(mandate))).toMatchObject({ payment_method: paymentMethod.id, status: 'active', type: 'multi_use', payment_method_details: { type: 'sepa_debit' } });
    const completed = (await stripe.events.list({ type: 'checkout.session.completed' })).data[0]!.data.object as Stripe.Checkout.Session;
    expect(completed).toMatchObject({ id: session.id, payment_status: 'unpaid' });

    await advanceSeconds(kit, 180);
    const settled = await read(session);
    expect(settled.done.payment_status).toBe('paid');
    expect(settled.subscription.status).toBe('active');
    expect(settled.invoice.status).toBe('paid');
    expect(await eventsAbout(stripe, session.id)).toEqual(['checkout.session.completed', 'checkout.session.async_payment_succeeded']);
  });

  it('a first debit that fails: async_payment_failed, the invoice stays open, the subscription incomplete and then incomplete_expired', async () => {
    const session = await bankSession(stripe, { types: ['card', 'sepa_debit'] });
    expect((await payWithIban(session, IBAN.failsLater)).status).toBe(303);
    await advanceSeconds(kit, 180);
    const failed = await read(session);
    expect(failed.done.payment_status).toBe('unpaid');
    expect(failed.subscription.status).toBe('incomplete');
    expect(failed.invoice.status).toBe('open');
    expect(await eventsAbout(stripe, session.id)).toEqual(['checkout.session.completed', 'checkout.session.async_payment_failed']);
    expect(await eventsAbout(stripe, failed.invoice.id)).toContain('invoice.payment_failed');
    await advanceDays(kit.sandbox, 1);
    expect((await stripe.subscriptions.retrieve(failed.subscription.id)).status).toBe('incomplete_expired');
  });

  it('with a trial: a SetupIntent for the SEPA Direct Debit with its mandate; the first debit when the trial ends', async () => {
    const session = await bankSession(stripe, { types: ['sepa_debit'], trialDays: 30 });
    expect((await payWithIban(session, IBAN.succeeds)).status).toBe(303);
    const { done, subscription } = await read(session);
    expect(done.payment_status).toBe('no_payment_required');
    expect(subscription.status).toBe('trialing');
    const setupIntent = await stripe.setupIntents.retrieve(String(done.setup_intent), { expand: ['mandate', 'latest_attempt'] });
    expect(setupIntent).toMatchObject({ status: 'succeeded', usage: 'off_session', payment_method: subscription.default_payment_method, payment_method_types: ['sepa_debit'] });
    expect((setupIntent.mandate as Stripe.Mandate).payment_method).toBe(subscription.default_payment_method);
    expect((setupIntent.latest_attempt as Stripe.SetupAttempt).payment_method_details).toEqual({ type: 'sepa_debit', sepa_debit: {} });

    await advanceDays(kit.sandbox, 31);
    const first = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data[0]!;
    expect(first).toMatchObject({ status: 'paid', amount_paid: 2999 });
    expect((await stripe.charges.retrieve(String((await intentOfInvoice(stripe, first)).latest_charge))).payment_method_details?.sepa_debit?.mandate).toBe((setupIntent.mandate as Stripe.Mandate).id);
  });

  it('refuses an IBAN that is not one, keeping the session open', async () => {
    const session = await bankSession(stripe, { types: ['sepa_debit'] });
    const refused = await payWithIban(session, 'NL00');
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Your IBAN is incomplete or invalid.');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('pays once (mode payment) by SEPA Direct Debit under a mandate: processing, then async_payment_succeeded', async () => {
    const price = await stripe.prices.create({ currency: 'eur', unit_amount: 8900, product_data: { name: 'Racket' } });
    const session = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: price.id, quantity: 1 }], allowed_payment_method_types: ['sepa_debit'], success_url: 'https://shop.example/thanks' });
    const paid = await payWithIban(session, IBAN.succeedsLater);
    expect(paid.headers.get('location')).toBe('https://shop.example/thanks');
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent.latest_charge'] });
    expect(done.payment_status).toBe('unpaid');
    const charge = (done.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
    expect(charge.payment_method_details?.sepa_debit?.mandate).toMatch(/^mandate_/);
    await advanceSeconds(kit, 180);
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid');
  });
});
