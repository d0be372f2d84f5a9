import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { advanceDays, flushWebhooks, intentOfInvoice, listenToAll, startStripe, type StripeKit, type WebhookReceiver } from './stripe-kit.ts';

const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

describe('invoices, invoice items and subscription changes', () => {
  let kit: StripeKit;
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await kit.stop();
  });

  async function plans(stripe: Stripe) {
    const product = await stripe.products.create({ name: 'Club' });
    const monthly = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 3000, recurring: { interval: 'month' } });
    const premium = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 6000, recurring: { interval: 'month' } });
    const yearly = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 30000, recurring: { interval: 'year' } });
    return { monthly, premium, yearly };
  }
  const payingCustomer = (stripe: Stripe, card = 'pm_card_visa') => stripe.customers.create({ email: 'c@example.nl', payment_method: card, invoice_settings: { default_payment_method: card } });

  it('runs an invoice from draft to paid, and voids, sends and deletes others', async () => {
    kit = await startStripe();
    receiver = await listenToAll(kit);
    const { stripe } = kit;
    const customer = await payingCustomer(stripe);
    await stripe.invoiceItems.create({ customer: customer.id, amount: 1250, currency: 'eur', description: 'Racket strings' });
    const draft = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: 'include' });
    expect(draft).toMatchObject({ status: 'draft', total: 1250, amount_due: 1250, number: null, lines: { data: [{ amount: 1250, description: 'Racket strings' }] } });
    expect((await stripe.invoiceItems.list({ customer: customer.id, pending: true })).data).toHaveLength(0);
    await stripe.invoices.update(draft.id, { metadata: { order: '9' } });
    const open = await stripe.invoices.finalizeInvoice(draft.id);
    expect(open).toMatchObject({ status: 'open', number: `${customer.invoice_prefix}-0001`, hosted_invoice_url: expect.stringContaining(`/stripe/invoices/${draft.id}`) });
    const paid = await stripe.invoices.pay(draft.id);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 1250, amount_remaining: 0, attempt_count: 1 });
    expect((await fetch(paid.hosted_invoice_url!)).status).toBe(200);

    const toVoid = await stripe.invoices.create({ customer: customer.id, auto_advance: false });
    await stripe.invoiceItems.create({ customer: customer.id, invoice: toVoid.id, amount: 500, currency: 'eur' });
    await stripe.invoices.finalizeInvoice(toVoid.id);
    expect(await stripe.invoices.voidInvoice(toVoid.id)).toMatchObject({ status: 'void' });
    const toSend = await stripe.invoices.create({ customer: customer.id, collection_method: 'send_invoice', days_until_due: 14 });
    expect(await stripe.invoices.sendInvoice(toSend.id)).toMatchObject({ status: 'paid' });
    const toDelete = await stripe.invoices.create({ customer: customer.id });
    expect(await stripe.invoices.del(toDelete.id)).toMatchObject({ id: toDelete.id, deleted: true });
    await expect(stripe.invoices.del(paid.id)).rejects.toMatchObject({ statusCode: 400 });
    await flushWebhooks(kit.sandbox);
    const types = (id: string) => receiver!.deliveries.filter((d) => (d.event.data.object as { id: string }).id === id).map((d) => d.event.type);
    expect(types(draft.id)).toEqual(['invoice.created', 'invoice.updated', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']);
    expect(types(toVoid.id)).toEqual(['invoice.created', 'invoice.finalized', 'invoice.voided']);
    expect(types(toSend.id)).toEqual(['invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded', 'invoice.sent']);
    expect(types(toDelete.id)).toEqual(['invoice.created', 'invoice.deleted']);
  });

  it('bills on the calendar from the anchor: 31 Jan, 28 Feb, 31 Mar', async () => {
    kit = await startStripe({}, new Date('2026-01-31T10:00:00Z'));
    const { stripe } = kit;
    const { monthly } = await plans(stripe);
    const subscription = await stripe.subscriptions.create({ customer: (await payingCustomer(stripe)).id, items: [{ price: monthly.id }] });
    expect(subscription).toMatchObject({ status: 'active', billing_cycle_anchor: at('2026-01-31T10:00:00Z') });
    expect(subscription.items.data[0]!.current_period_end).toBe(at('2026-02-28T10:00:00Z'));
    await advanceDays(kit.sandbox, 65);
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => day(i.created)).reverse()).toEqual(['2026-01-31', '2026-02-28', '2026-03-31']);
    expect(invoices.data[0]!.lines.data[0]!.period).toEqual({ start: at('2026-03-31T10:00:00Z'), end: at('2026-04-30T10:00:00Z') });
  });

  it('cancels at period end, or undoes that, or cancels now', async () => {
    kit = await startStripe();
    receiver = await listenToAll(kit);
    const { stripe } = kit;
    const { monthly } = await plans(stripe);
    const customer = await payingCustomer(stripe);
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
    const end = subscription.items.data[0]!.current_period_end;
    const cancelling = await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    expect(cancelling).toMatchObject({ status: 'active', cancel_at_period_end: true, cancel_at: end, canceled_at: at('2026-01-01T00:00:00Z') });
    const kept = await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: false });
    expect(kept).toMatchObject({ cancel_at_period_end: false, cancel_at: null, canceled_at: null });
    await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    await advanceDays(kit.sandbox, 40);
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: 'canceled', ended_at: end });
    expect((await stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);
    const other = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }] });
    expect(await stripe.subscriptions.cancel(other.id, { cancellation_details: { comment: 'moving abroad' } })).toMatchObject({ status: 'canceled', cancellation_details: { comment: 'moving abroad', reason: 'cancellation_requested' } });
    await flushWebhooks(kit.sandbox);
    const deleted = receiver.deliveries.filter((d) => d.event.type === 'customer.subscription.deleted').map((d) => (d.event.data.object as Stripe.Subscription).id);
    expect(deleted).toEqual([subscription.id, other.id]);
    const firstUpdate = receiver.deliveries.find((d) => d.event.type === 'customer.subscription.updated' && (d.event.data.previous_attributes as { cancel_at_period_end?: boolean } | undefined)?.cancel_at_period_end === false);
    expect(firstUpdate?.event.data.previous_attributes).toMatchObject({ cancel_at: null, canceled_at: null, cancel_at_period_end: false });
  });

  it('prorates a price change: a credit and a charge, invoiced with the next renewal (create_prorations)', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const { monthly, premium } = await plans(stripe);
    const subscription = await stripe.subscriptions.create({ customer: (await payingCustomer(stripe)).id, items: [{ price: monthly.id }] });
    await advanceDays(kit.sandbox, 15);
    const item = subscription.items.data[0]!;
    const changed = await stripe.subscriptions.update(subscription.id, { items: [{ id: item.id, price: premium.id }], proration_behavior: 'create_prorations' });
    expect(changed.items.data).toHaveLength(1);
    expect(changed.items.data[0]).toMatchObject({ id: item.id, price: { id: premium.id } });
    const pending = await stripe.invoiceItems.list({ customer: String(subscription.customer), pending: true });
    // 16 of January's 31 days remain: -3000 * 16/31 and +6000 * 16/31.
    expect(pending.data.map((i) => i.amount).sort((a, b) => a - b)).toEqual([-1548, 3097]);
    expect(pending.data.every((i) => i.proration)).toBe(true);
    await advanceDays(kit.sandbox, 20);
    const [renewal] = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data;
    expect(renewal).toMatchObject({ status: 'paid', billing_reason: 'subscription_cycle', total: 6000 - 1548 + 3097 });
  });

  it('switches monthly to yearly at once: new period, credit for unused time, yearly price charged now', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const { monthly, yearly } = await plans(stripe);
    const subscription = await stripe.subscriptions.create({ customer: (await payingCustomer(stripe)).id, items: [{ price: monthly.id }] });
    await advanceDays(kit.sandbox, 10);
    const switched = await stripe.subscriptions.update(subscription.id, { items: [{ id: subscription.items.data[0]!.id, price: yearly.id }] });
    expect(switched.items.data[0]).toMatchObject({ current_period_start: at('2026-01-11T00:00:00Z'), current_period_end: at('2027-01-11T00:00:00Z') });
    expect(switched.billing_cycle_anchor).toBe(at('2026-01-11T00:00:00Z'));
    const invoice = await stripe.invoices.retrieve(String(switched.latest_invoice));
    expect(invoice).toMatchObject({ billing_reason: 'subscription_update', status: 'paid', total: 30000 - 2032 });
    const none = await stripe.subscriptions.update(subscription.id, { items: [{ id: subscription.items.data[0]!.id, price: yearly.id, quantity: 2 }], proration_behavior: 'none' });
    expect(none.items.data[0]!.quantity).toBe(2);
    expect((await stripe.invoiceItems.list({ customer: String(subscription.customer), pending: true })).data).toHaveLength(0);
  });

  it('pauses collection (renewal invoices voided) and pauses a trial without payment method, then resumes it', async () => {
    kit = await startStripe();
    receiver = await listenToAll(kit);
    const { stripe } = kit;
    const { monthly } = await plans(stripe);
    const collected = await stripe.subscriptions.create({ customer: (await payingCustomer(stripe)).id, items: [{ price: monthly.id }] });
    await stripe.subscriptions.update(collected.id, { pause_collection: { behavior: 'void' } });
    await advanceDays(kit.sandbox, 32);
    expect((await stripe.invoices.retrieve(String((await stripe.subscriptions.retrieve(collected.id)).latest_invoice))).status).toBe('void');
    expect((await stripe.subscriptions.update(collected.id, { pause_collection: '' })).pause_collection).toBeNull();

    const customer = await stripe.customers.create({ email: 'trial@example.nl' });
    const trial = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }], trial_period_days: 7, trial_settings: { end_behavior: { missing_payment_method: 'pause' } } });
    await advanceDays(kit.sandbox, 8);
    expect((await stripe.subscriptions.retrieve(trial.id)).status).toBe('paused');
    await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id }).then((pm) => stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } }));
    const resumed = await stripe.subscriptions.resume(trial.id, { billing_cycle_anchor: { type: 'now' } });
    expect(resumed).toMatchObject({ status: 'active', billing_cycle_anchor: kit.sandbox.ctx.clock.nowSeconds() });
    expect(await stripe.invoices.retrieve(String(resumed.latest_invoice))).toMatchObject({ status: 'paid', amount_paid: 3000 });
    await flushWebhooks(kit.sandbox);
    const types = receiver.deliveries.filter((d) => (d.event.data.object as { id: string }).id === trial.id).map((d) => d.event.type);
    expect(types).toEqual(['customer.subscription.created', 'customer.subscription.trial_will_end', 'customer.subscription.updated', 'customer.subscription.paused', 'customer.subscription.updated', 'customer.subscription.resumed']);
  });

  it('leaves a subscription incomplete when the first payment fails, and expires it after 23 hours', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const { monthly } = await plans(stripe);
    const customer = await payingCustomer(stripe, 'pm_card_chargeCustomerFail');
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }], expand: ['latest_invoice'] });
    expect(subscription.status).toBe('incomplete');
    expect((subscription.latest_invoice as Stripe.Invoice).status).toBe('open');
    await expect(stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }], payment_behavior: 'error_if_incomplete' })).rejects.toMatchObject({ type: 'StripeCardError' });
    await advanceDays(kit.sandbox, 1);
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: 'incomplete_expired' });

    const later = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }], payment_behavior: 'default_incomplete' });
    const intent = await intentOfInvoice(stripe, later.latest_invoice as string);
    expect(later.status).toBe('incomplete');
    await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    expect((await stripe.subscriptions.retrieve(later.id)).status).toBe('active');
  });

  it('recovers a past_due subscription when the customer fixes the card before the next retry', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const { monthly } = await plans(stripe);
    const customer = await stripe.customers.create({ payment_method: 'pm_card_chargeCustomerFail', invoice_settings: { default_payment_method: 'pm_card_chargeCustomerFail' } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }], trial_period_days: 10 });
    await advanceDays(kit.sandbox, 11);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
    await advanceDays(kit.sandbox, 3);
    const recovered = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(recovered.status).toBe('active');
    expect(recovered.latest_invoice as Stripe.Invoice).toMatchObject({ status: 'paid', attempt_count: 2, next_payment_attempt: null });
  });

  it('asks for authentication on an off-session renewal (invoice.payment_action_required, past_due)', async () => {
    kit = await startStripe();
    receiver = await listenToAll(kit);
    const { stripe } = kit;
    const { monthly } = await plans(stripe);
    const customer = await payingCustomer(stripe, 'pm_card_authenticationRequired');
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: monthly.id }], trial_period_days: 5 });
    await advanceDays(kit.sandbox, 6);
    const renewed = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] });
    expect(renewed.status).toBe('past_due');
    const invoice = renewed.latest_invoice as Stripe.Invoice;
    expect(invoice.status).toBe('open');
    const intent = await intentOfInvoice(stripe, invoice);
    expect(intent.status).toBe('requires_action');
    await flushWebhooks(kit.sandbox);
    expect(receiver.types()).toContain('invoice.payment_action_required');
    expect(receiver.types()).toContain('payment_intent.requires_action');
    await fetch(`${kit.sandbox.url}/stripe/authenticate/${intent.id}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=complete' });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
  });
});
