import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorizeAtBank, bankSession, eventsAbout, goToBank, IBAN, postForm, SUCCESS_URL } from './bank-checkout-kit.ts';
import { readDeclaredFields } from './sdk-declared-fields.ts';
import { advanceDays, intentOfInvoice, startStripe, type StripeKit } from './stripe-kit.ts';

const DAY = 86_400;
const declared = readDeclaredFields(['Charge', 'PaymentMethod', 'Checkout.Session', 'Dispute', 'SetupAttempt']);
const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('Checkout with iDEAL and Bancontact: a bank page, a generated SEPA Direct Debit and its mandate', () => {
  let kit: StripeKit;
  let stripe: Stripe;
  beforeEach(async () => {
    kit = await startStripe();
    stripe = kit.stripe;
  });
  afterEach(() => kit.stop());

  const subscriptionOf = async (session: Stripe.Checkout.Session) => {
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription.default_payment_method'] });
    return { done, subscription: done.subscription as Stripe.Subscription };
  };

  it('shows one choice per allowed method: test cards, iDEAL with its banks, Bancontact, SEPA Direct Debit with an IBAN and the mandate', async () => {
    const session = await bankSession(stripe);
    const page = await (await fetch(session.url!)).text();
    expect(page).toContain('value="pm_card_visa" checked');
    expect(page).toContain('<select id="ideal-bank" name="ideal_bank">');
    for (const bank of ['abn_amro', 'ing', 'rabobank']) expect(page).toContain(`<option value="${bank}">`);
    expect(page).toMatch(/name="method" value="bancontact"/);
    expect(page).toContain('name="iban" value="AT611904300234573201"');
    expect(page).toContain('you are entitled to a refund from your bank');
    expect(session.payment_method_types).toEqual(['card', 'ideal', 'bancontact', 'sepa_debit']);
  });

  it('iDEAL without a trial: the first invoice is paid by the iDEAL charge, the subscription debits the generated SEPA Direct Debit', async () => {
    const session = await bankSession(stripe);
    const bankUrl = await goToBank(session, 'ideal', 'ing');
    expect(bankUrl).toBe(`${kit.sandbox.url}/stripe/bank/${session.id}?method=ideal&bank=ing`);
    const bankPage = await (await fetch(bankUrl)).text();
    expect(bankPage).toContain('iDEAL test payment');
    expect(bankPage).toContain('29.99 EUR');
    expect(bankPage).toContain('name="debit_account"');
    await authorizeAtBank(bankUrl, session);

    const { done, subscription } = await subscriptionOf(session);
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', setup_intent: null });
    expect(subscription.status).toBe('active');
    const generated = subscription.default_payment_method as Stripe.PaymentMethod;
    expect(generated).toMatchObject({ type: 'sepa_debit', customer: done.customer, sepa_debit: { last4: '3201', country: 'AT' } });

    const intent = await intentOfInvoice(stripe, String(done.invoice));
    const charge = await stripe.charges.retrieve(String(intent.latest_charge));
    const mandateId = (charge.payment_method_details?.ideal?.generated_sepa_debit_mandate ?? '') as string;
    expect(charge).toMatchObject({ status: 'succeeded', amount: 2999, paid: true });
    expect(charge.payment_method_details).toMatchObject({
      type: 'ideal',
      ideal: { bank: 'ing', bic: 'INGBNL2A', iban_last4: '3201', generated_sepa_debit: generated.id, generated_sepa_debit_mandate: expect.stringMatching(/^mandate_/), verified_name: 'Jenny Rosen' },
    });
    expect(generated.sepa_debit?.generated_from).toEqual({ charge: charge.id, setup_attempt: null });
    const ideal = await stripe.paymentMethods.retrieve(String(charge.payment_method));
    expect(ideal).toMatchObject({ type: 'ideal', ideal: { bank: 'ing', bic: 'INGBNL2A' }, customer: null });

    const mandate = await stripe.mandates.retrieve(mandateId);
    expect(mandate).toMatchObject({
      object: 'mandate',
      customer_acceptance: { type: 'online', online: { ip_address: '127.0.0.1' } },
      livemode: false,
      multi_use: {},
      payment_method: generated.id,
      payment_method_details: { type: 'sepa_debit', sepa_debit: { reference: expect.stringMatching(/^[A-Z0-9]{16}$/), url: `${kit.sandbox.url}/stripe/mandates/${mandateId}` } },
      status: 'active',
      type: 'multi_use',
    });
    expect(mandate.customer_acceptance.online?.user_agent).toBeTruthy();
    expect((await stripe.mandates.retrieve(mandateId)).payment_method_details.sepa_debit?.reference).toBe(mandate.payment_method_details.sepa_debit?.reference);
    expect(await (await fetch(mandate.payment_method_details.sepa_debit!.url)).text()).toContain(mandate.payment_method_details.sepa_debit!.reference);
    expect(await eventsAbout(stripe, session.id)).toEqual(['checkout.session.completed']);

    // The renewal is a SEPA debit of the generated method under its mandate.
    await advanceDays(kit.sandbox, 31);
    const renewal = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data[0]!;
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', status: 'paid' });
    const renewalIntent = await intentOfInvoice(stripe, renewal);
    const debit = await stripe.charges.retrieve(String(renewalIntent.latest_charge));
    expect(debit.payment_method).toBe(generated.id);
    expect(debit.payment_method_details).toEqual({ type: 'sepa_debit', sepa_debit: { bank_code: '19043', branch_code: '', country: 'AT', fingerprint: generated.sepa_debit!.fingerprint, last4: '3201', mandate: mandateId } });
    expect(await eventsAbout(stripe, renewalIntent.id)).toEqual(['payment_intent.created', 'payment_intent.processing', 'payment_intent.succeeded']);
    expect(await eventsAbout(stripe, debit.id)).toEqual(['charge.pending', 'charge.succeeded']);
  });

  it('iDEAL with a 30-day trial: a succeeded SetupIntent with the mandate, and the first debit after the trial', async () => {
    const session = await bankSession(stripe, { trialDays: 30 });
    expect(await (await fetch(await goToBank(session, 'ideal', 'rabobank'))).text()).toContain('0.00 EUR');
    await authorizeAtBank(await goToBank(session, 'ideal', 'rabobank'), session);

    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent.latest_attempt', 'subscription'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'no_payment_required' });
    const setupIntent = done.setup_intent as Stripe.SetupIntent;
    const attempt = setupIntent.latest_attempt as Stripe.SetupAttempt;
    const subscription = done.subscription as Stripe.Subscription;
    expect(subscription.status).toBe('trialing');
    const generated = await stripe.paymentMethods.retrieve(String(subscription.default_payment_method));
    expect(setupIntent).toMatchObject({ id: expect.stringMatching(/^seti_/), object: 'setup_intent', status: 'succeeded', usage: 'off_session', customer: done.customer, payment_method_types: ['ideal'] });
    expect(attempt).toMatchObject({ id: expect.stringMatching(/^setatt_/), object: 'setup_attempt', status: 'succeeded', setup_intent: setupIntent.id, payment_method: setupIntent.payment_method });
    expect(attempt.payment_method_details).toMatchObject({ type: 'ideal', ideal: { bank: 'rabobank', bic: 'RABONL2U', generated_sepa_debit: generated.id, generated_sepa_debit_mandate: setupIntent.mandate, iban_last4: '3201' } });
    expect(generated).toMatchObject({ type: 'sepa_debit', customer: done.customer, sepa_debit: { generated_from: { charge: null, setup_attempt: attempt.id } } });

    const read = await stripe.setupIntents.retrieve(setupIntent.id, { expand: ['latest_attempt', 'mandate'] });
    expect((read.mandate as Stripe.Mandate).payment_method).toBe(generated.id);
    expect((read.latest_attempt as Stripe.SetupAttempt).id).toBe(attempt.id);
    expect((await stripe.setupAttempts.list({ setup_intent: setupIntent.id })).data.map((a) => a.id)).toEqual([attempt.id]);
    expect(await eventsAbout(stripe, setupIntent.id)).toEqual(['setup_intent.created', 'setup_intent.succeeded']);

    await advanceDays(kit.sandbox, 31);
    const first = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data[0]!;
    expect(first).toMatchObject({ amount_paid: 2999, status: 'paid' });
    const debit = await stripe.charges.retrieve(String((await intentOfInvoice(stripe, first)).latest_charge));
    expect(debit.payment_method_details?.sepa_debit?.mandate).toBe(setupIntent.mandate);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
  });

  it('a renewal from an account that fails: processing first (subscription still active), then past_due and the retry schedule', async () => {
    const session = await bankSession(stripe);
    await authorizeAtBank(await goToBank(session, 'ideal'), session, IBAN.failsLater);
    const { subscription } = await subscriptionOf(session);

    await advanceDays(kit.sandbox, 31);
    const renewal = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data[0]!;
    const intent = await intentOfInvoice(stripe, renewal);
    expect(intent.status).toBe('processing');
    expect(renewal.status).toBe('open');
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');

    await advanceDays(kit.sandbox, 1);
    const failed = await stripe.invoices.retrieve(renewal.id);
    expect(failed).toMatchObject({ status: 'open', attempt_count: 1 });
    expect(failed.next_payment_attempt).toBe(failed.status_transitions.finalized_at! + 180 + 3 * DAY);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
    const charge = String((await stripe.paymentIntents.retrieve(intent.id)).latest_charge);
    expect(await eventsAbout(stripe, charge)).toEqual(['charge.pending', 'charge.failed']);
    expect(await eventsAbout(stripe, intent.id)).toEqual(['payment_intent.created', 'payment_intent.processing', 'payment_intent.payment_failed']);
    expect(await eventsAbout(stripe, renewal.id)).toContain('invoice.payment_failed');
    expect((await stripe.charges.retrieve(charge)).failure_code).toBe('insufficient_funds');

    // Stripe's retries go on debiting the same account.
    await advanceDays(kit.sandbox, 3);
    expect((await stripe.invoices.retrieve(renewal.id)).attempt_count).toBe(2);
  });

  it('a renewal from an account that is disputed: paid, then a SEPA reversal (charge.dispute.created, reason general)', async () => {
    const session = await bankSession(stripe);
    await authorizeAtBank(await goToBank(session, 'ideal'), session, IBAN.disputed);
    const { subscription } = await subscriptionOf(session);
    await advanceDays(kit.sandbox, 31);
    const renewal = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data[0]!;
    expect(renewal.status).toBe('paid');
    const intent = await intentOfInvoice(stripe, renewal);
    const disputes = await stripe.disputes.list({ payment_intent: intent.id });
    expect(disputes.data).toHaveLength(1);
    expect(disputes.data[0]).toMatchObject({ reason: 'general', charge: intent.latest_charge, amount: 2999, payment_method_details: { type: 'sepa_debit' } });
    expect(await eventsAbout(stripe, disputes.data[0]!.id)).toContain('charge.dispute.created');
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
  });

  it('Bancontact: the charge names the generated SEPA Direct Debit and the language of the session', async () => {
    const session = await bankSession(stripe, { types: ['bancontact'], locale: 'fr' });
    const page = await (await fetch(session.url!)).text();
    expect(page).not.toContain('pm_card_visa');
    const bankUrl = await goToBank(session, 'bancontact');
    expect(bankUrl).toBe(`${kit.sandbox.url}/stripe/bank/${session.id}?method=bancontact`);
    expect(await (await fetch(bankUrl)).text()).toContain('Bancontact test payment');
    await authorizeAtBank(bankUrl, session);
    const { done, subscription } = await subscriptionOf(session);
    expect(subscription.status).toBe('active');
    const charge = await stripe.charges.retrieve(String((await intentOfInvoice(stripe, String(done.invoice))).latest_charge));
    expect(charge.payment_method_details).toMatchObject({
      type: 'bancontact',
      bancontact: { bank_code: 'VAPE', bic: 'VAPEBE22', generated_sepa_debit: (subscription.default_payment_method as Stripe.PaymentMethod).id, preferred_language: 'fr', verified_name: 'Jenny Rosen' },
    });
    expect((await stripe.paymentMethods.retrieve(String(charge.payment_method))).type).toBe('bancontact');
  });

  it('pays once (mode payment) with iDEAL: saves a SEPA Direct Debit only when asked to (setup_future_usage)', async () => {
    const price = await stripe.prices.create({ currency: 'eur', unit_amount: 8900, product_data: { name: 'Racket' } });
    const once = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: price.id, quantity: 1 }], allowed_payment_method_types: ['ideal'], success_url: SUCCESS_URL });
    expect(await (await fetch(await goToBank(once, 'ideal'))).text()).toContain('89.00 EUR');
    await authorizeAtBank(await goToBank(once, 'ideal'), once);
    const paid = await stripe.checkout.sessions.retrieve(once.id, { expand: ['payment_intent.latest_charge'] });
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid', customer: null });
    const charge = (paid.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
    expect(charge.payment_method_details?.ideal).toMatchObject({ bank: 'ing', generated_sepa_debit: null, generated_sepa_debit_mandate: null, transaction_id: expect.any(String) });
    expect((await stripe.paymentMethods.list({ type: 'sepa_debit' })).data).toEqual([]);

    const saved = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 1 }],
      allowed_payment_method_types: ['ideal'],
      customer_creation: 'always',
      customer_email: 'kim@example.nl',
      payment_intent_data: { setup_future_usage: 'off_session' },
      success_url: SUCCESS_URL,
    });
    await authorizeAtBank(await goToBank(saved, 'ideal'), saved, IBAN.succeeds);
    const done = await stripe.checkout.sessions.retrieve(saved.id, { expand: ['payment_intent.latest_charge'] });
    const savedCharge = (done.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
    const generated = await stripe.paymentMethods.retrieve(String(savedCharge.payment_method_details?.ideal?.generated_sepa_debit));
    expect(generated).toMatchObject({ type: 'sepa_debit', customer: done.customer, sepa_debit: { generated_from: { charge: savedCharge.id, setup_attempt: null } } });
    expect((await stripe.paymentMethods.retrieve(String(savedCharge.payment_method))).customer).toBeNull();
  });

  it('a failed bank authorization goes back to the checkout page with an error; the session stays open and can be paid', async () => {
    const session = await bankSession(stripe);
    const bankUrl = await goToBank(session, 'ideal');
    const failed = await postForm(bankUrl, { method: 'ideal', bank: 'ing', action: 'fail' });
    expect(failed.status).toBe(303);
    const back = String(failed.headers.get('location'));
    expect(back).toBe(`${session.url}?error=bank_declined`);
    expect(await (await fetch(back)).text()).toContain('Your bank did not authorize the payment.');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    expect((await stripe.paymentMethods.list({ type: 'sepa_debit' })).data).toEqual([]);
    await authorizeAtBank(await goToBank(session, 'ideal'), session);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('complete');
  });

  it('serves, at any depth, only fields the SDK’s types declare: iDEAL, Bancontact and SEPA charges, their payment methods, a SEPA dispute', async () => {
    const ideal = await bankSession(stripe);
    await authorizeAtBank(await goToBank(ideal, 'ideal'), ideal, IBAN.disputed);
    const bancontact = await bankSession(stripe, { types: ['bancontact'], trialDays: 30 });
    await authorizeAtBank(await goToBank(bancontact, 'bancontact'), bancontact);
    const paidByBancontact = await bankSession(stripe, { types: ['bancontact'] });
    await authorizeAtBank(await goToBank(paidByBancontact, 'bancontact'), paidByBancontact);
    await advanceDays(kit.sandbox, 31);
    const found: string[] = [];
    for (const charge of (await stripe.charges.list({ limit: 100 })).data) found.push(...declared.undeclared('Charge', json(charge)));
    for (const paymentMethod of (await stripe.paymentMethods.list({ limit: 100 })).data) found.push(...declared.undeclared('PaymentMethod', json(paymentMethod)));
    for (const session of [ideal, bancontact, paidByBancontact]) found.push(...declared.undeclared('Checkout.Session', json(await stripe.checkout.sessions.retrieve(session.id))));
    for (const dispute of (await stripe.disputes.list()).data) found.push(...declared.undeclared('Dispute', json(dispute)));
    const setupIntent = String((await stripe.checkout.sessions.retrieve(bancontact.id)).setup_intent);
    for (const attempt of (await stripe.setupAttempts.list({ setup_intent: setupIntent })).data) found.push(...declared.undeclared('SetupAttempt', json(attempt)));
    const types = (await stripe.charges.list({ limit: 100 })).data.map((charge) => charge.payment_method_details?.type).sort();
    expect(types).toEqual(['bancontact', 'ideal', 'sepa_debit', 'sepa_debit', 'sepa_debit']);
    expect((await stripe.disputes.list()).data).toHaveLength(1);
    expect(found).toEqual([]);
  });

  it('refuses iDEAL, Bancontact and SEPA Direct Debit for another currency than EUR, as Stripe does', async () => {
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 1000, recurring: { interval: 'month' }, product_data: { name: 'Dollars' } });
    for (const type of ['ideal', 'bancontact', 'sepa_debit'] as const) {
      const refused = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }], allowed_payment_method_types: ['card', type], success_url: 'https://shop.example/ok' }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ statusCode: 400, rawType: 'invalid_request_error', param: 'allowed_payment_method_types' });
      expect((refused as Error).message).toContain(`The payment method type ${type} only supports the following currencies: eur.`);
    }
    const card = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }], allowed_payment_method_types: ['card'], success_url: 'https://shop.example/ok' });
    expect(card.status).toBe('open');
    const unknownLocale = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }], locale: 'tlh' as Stripe.Checkout.SessionCreateParams.Locale, success_url: 'https://shop.example/ok' }).catch((error: unknown) => error);
    expect(unknownLocale).toMatchObject({ statusCode: 400, param: 'locale' });
    // The bank page of a method the session does not take does not open.
    expect((await fetch(`${kit.sandbox.url}/stripe/bank/${card.id}?method=ideal`)).status).toBe(400);
  });
});
