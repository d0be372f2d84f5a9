import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushWebhooks, listenToAll, startStripe, type StripeKit, type WebhookReceiver } from './stripe-kit.ts';

describe('customers, catalogue, payment methods, payments, refunds and disputes', () => {
  let kit: StripeKit;
  let stripe: Stripe;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    kit = await startStripe();
    stripe = kit.stripe;
    receiver = await listenToAll(kit);
  });
  afterAll(async () => {
    await receiver.close();
    await kit.stop();
  });
  const eventsFor = async (id: string) => {
    await flushWebhooks(kit.sandbox);
    return receiver.deliveries.filter((d) => (d.event.data.object as { id?: string }).id === id).map((d) => d.event.type);
  };

  it('creates, retrieves, updates, lists and deletes customers', async () => {
    const customer = await stripe.customers.create({ email: 'piet@example.nl', name: 'Piet', preferred_locales: ['nl'] });
    expect(customer).toMatchObject({ object: 'customer', email: 'piet@example.nl', livemode: false, test_clock: null });
    const updated = await stripe.customers.update(customer.id, { name: 'Piet Jansen', metadata: { crm: '7' } });
    expect(updated).toMatchObject({ name: 'Piet Jansen', metadata: { crm: '7' } });
    expect((await stripe.customers.list({ email: 'piet@example.nl' })).data.map((c) => c.id)).toEqual([customer.id]);
    expect(await stripe.customers.del(customer.id)).toEqual(expect.objectContaining({ id: customer.id, deleted: true }));
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, deleted: true });
    expect(await eventsFor(customer.id)).toEqual(['customer.created', 'customer.updated', 'customer.deleted']);
    expect(receiver.deliveries.find((d) => d.event.type === 'customer.updated' && (d.event.data.object as Stripe.Customer).id === customer.id)?.event.data.previous_attributes).toEqual({ name: 'Piet', metadata: { crm: null } });
  });

  it('keeps products and prices (recurring month/year, lookup keys, active filter)', async () => {
    const product = await stripe.products.create({ name: 'Club membership', metadata: { sku: 'club' } });
    const monthly = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 2999, recurring: { interval: 'month' }, lookup_key: 'club_monthly' });
    const yearly = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 29990, recurring: { interval: 'year' }, lookup_key: 'club_yearly' });
    expect(yearly).toMatchObject({ type: 'recurring', recurring: { interval: 'year' }, unit_amount: 29990 });
    await expect(stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 1, lookup_key: 'club_monthly' })).rejects.toMatchObject({ code: 'lookup_key_already_exists' });
    const moved = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 3499, recurring: { interval: 'month' }, lookup_key: 'club_monthly', transfer_lookup_key: true });
    expect((await stripe.prices.retrieve(monthly.id)).lookup_key).toBeNull();
    expect((await stripe.prices.list({ lookup_keys: ['club_monthly'] })).data.map((p) => p.id)).toEqual([moved.id]);
    await stripe.prices.update(monthly.id, { active: false });
    expect((await stripe.prices.list({ product: product.id, active: true })).data.map((p) => p.id).sort()).toEqual([moved.id, yearly.id].sort());
    expect(await stripe.products.update(product.id, { description: 'All sports' })).toMatchObject({ description: 'All sports', metadata: { sku: 'club' } });
  });

  it('makes payment methods from test tokens, attaches and detaches them; declined cards fail on attach', async () => {
    const customer = await stripe.customers.create({});
    const card = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_mastercard' } });
    expect(card).toMatchObject({ type: 'card', customer: null, card: { brand: 'mastercard', last4: '4444' } });
    expect((await stripe.paymentMethods.attach(card.id, { customer: customer.id })).customer).toBe(customer.id);
    const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    expect(visa.id).toMatch(/^pm_/);
    expect((await stripe.customers.listPaymentMethods(customer.id)).data.map((pm) => pm.id).sort()).toEqual([card.id, visa.id].sort());
    expect((await stripe.paymentMethods.detach(card.id)).customer).toBeNull();
    const declined = await stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id }).catch((error: unknown) => error);
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined).toMatchObject({ code: 'card_declined', decline_code: 'generic_decline' });
    const failsLater = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    expect(failsLater.customer).toBe(customer.id);
    const sepa = await stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: 'AT611904300234573201' }, billing_details: { name: 'Jan', email: 'jan@example.nl' } });
    expect(sepa).toMatchObject({ type: 'sepa_debit', sepa_debit: { country: 'AT', last4: '3201' } });
    await expect(stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_nonsense' } })).rejects.toMatchObject({ code: 'resource_missing', param: 'card[token]' });
  });

  it('confirms payment intents: charge.succeeded, manual capture, cancel, decline with charge.failed', async () => {
    const paid = await stripe.paymentIntents.create({ amount: 4999, currency: 'eur', payment_method: 'pm_card_visa', confirm: true, metadata: { order: 'A1' } });
    expect(paid).toMatchObject({ status: 'succeeded', amount_received: 4999, latest_charge: expect.stringMatching(/^ch_/) });
    const charge = await stripe.charges.retrieve(String(paid.latest_charge));
    expect(charge).toMatchObject({ status: 'succeeded', paid: true, captured: true, amount_captured: 4999, payment_intent: paid.id, metadata: { order: 'A1' }, payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } } });
    expect(await eventsFor(paid.id)).toEqual(['payment_intent.created', 'payment_intent.succeeded']);

    const held = await stripe.paymentIntents.create({ amount: 2000, currency: 'eur', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
    expect(held).toMatchObject({ status: 'requires_capture', amount_capturable: 2000 });
    const captured = await stripe.paymentIntents.capture(held.id, { amount_to_capture: 1500 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 1500 });
    expect(await stripe.charges.retrieve(String(held.latest_charge))).toMatchObject({ captured: true, amount_captured: 1500, amount_refunded: 500 });

    const open = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur' });
    expect(open.status).toBe('requires_payment_method');
    expect(await stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'abandoned' })).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    await expect(stripe.paymentIntents.capture(open.id)).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });

    const failed = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur', payment_method: 'pm_card_chargeDeclined', confirm: true }).catch((error: unknown) => error as Stripe.errors.StripeCardError);
    const failedCharge = await stripe.charges.retrieve(String((failed as Stripe.errors.StripeCardError).charge));
    expect(failedCharge).toMatchObject({ status: 'failed', failure_code: 'card_declined', outcome: { type: 'issuer_declined', reason: 'generic_decline' } });
    expect(await eventsFor(failedCharge.id)).toEqual(['charge.failed']);
  });

  it('asks for 3D Secure (requires_action) and completes it on the sandbox’s authentication page', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 1200, currency: 'eur', payment_method: 'pm_card_authenticationRequired', confirm: true, return_url: 'https://shop.example/done' });
    expect(intent).toMatchObject({ status: 'requires_action', next_action: { type: 'redirect_to_url' } });
    const url = intent.next_action!.redirect_to_url!.url!;
    expect((await fetch(url)).status).toBe(200);
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=complete', redirect: 'manual' });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`https://shop.example/done?payment_intent=${intent.id}`);
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('succeeded');
  });

  it('refunds partially and then fully (amount_refunded, refunded, charge.refunded)', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 3000, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
    const partial = await stripe.refunds.create({ payment_intent: intent.id, amount: 1000, reason: 'requested_by_customer' });
    expect(partial).toMatchObject({ object: 'refund', amount: 1000, status: 'succeeded', charge: intent.latest_charge });
    expect(await stripe.charges.retrieve(String(intent.latest_charge))).toMatchObject({ amount_refunded: 1000, refunded: false });
    await expect(stripe.refunds.create({ charge: String(intent.latest_charge), amount: 2500 })).rejects.toMatchObject({ code: 'amount_too_large', param: 'amount' });
    const rest = await stripe.refunds.create({ charge: String(intent.latest_charge) });
    expect(rest.amount).toBe(2000);
    const charge = await stripe.charges.retrieve(String(intent.latest_charge));
    expect(charge).toMatchObject({ amount_refunded: 3000, refunded: true });
    expect(charge.refunds?.data.map((r) => r.id)).toEqual([rest.id, partial.id]);
    await expect(stripe.refunds.create({ charge: charge.id })).rejects.toMatchObject({ code: 'charge_already_refunded' });
    expect((await stripe.refunds.list({ payment_intent: intent.id })).data).toHaveLength(2);
    const refunded = receiver.deliveries.filter((d) => d.event.type === 'charge.refunded' && (d.event.data.object as Stripe.Charge).id === charge.id);
    expect(refunded.map((d) => (d.event.data.object as Stripe.Charge).amount_refunded)).toEqual([1000, 3000]);
  });

  it('opens a dispute after a charge with pm_card_createDispute; winning evidence wins it', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'eur', payment_method: 'pm_card_createDispute', confirm: true });
    expect(intent.status).toBe('succeeded');
    const [dispute] = (await stripe.disputes.list({ payment_intent: intent.id })).data;
    expect(dispute).toMatchObject({ object: 'dispute', amount: 2500, charge: intent.latest_charge, status: 'needs_response', reason: 'fraudulent' });
    expect((await stripe.charges.retrieve(String(intent.latest_charge))).disputed).toBe(true);
    const updated = await stripe.disputes.update(dispute!.id, { evidence: { uncategorized_text: 'winning_evidence', customer_name: 'Jan' }, metadata: { case: '1' } });
    expect(updated).toMatchObject({ status: 'under_review', evidence: { customer_name: 'Jan' }, evidence_details: { has_evidence: true, submission_count: 1 } });
    expect(await stripe.disputes.retrieve(dispute!.id)).toMatchObject({ status: 'won' });
    expect(await eventsFor(dispute!.id)).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn', 'charge.dispute.updated', 'charge.dispute.closed', 'charge.dispute.funds_reinstated']);

    const inquiry = await stripe.paymentIntents.create({ amount: 900, currency: 'eur', payment_method: 'pm_card_createDisputeInquiry', confirm: true });
    const [warning] = (await stripe.disputes.list({ charge: String(inquiry.latest_charge) })).data;
    expect(warning).toMatchObject({ status: 'warning_needs_response', is_charge_refundable: true });
    expect(await stripe.disputes.close(warning!.id)).toMatchObject({ status: 'warning_closed' });
    expect(await eventsFor(warning!.id)).toEqual(['charge.dispute.created', 'charge.dispute.closed']);
  });
});
