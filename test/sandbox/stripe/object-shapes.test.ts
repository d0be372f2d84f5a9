import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReference } from '../../support/reference.ts';
import { readDeclaredFields } from './sdk-declared-fields.ts';
import { flushWebhooks, startStripe, type StripeKit } from './stripe-kit.ts';

type Json = Record<string, unknown>;
const samples = (JSON.parse(readReference('stripe/fixtures3.json')) as { resources: Record<string, Json> }).resources;

/** The resource name in fixtures3.json -> the SDK's type of it. */
const SDK_TYPES: Record<string, string> = {
  customer: 'Customer',
  product: 'Product',
  price: 'Price',
  plan: 'Plan',
  subscription: 'Subscription',
  subscription_item: 'SubscriptionItem',
  invoice: 'Invoice',
  line_item: 'InvoiceLineItem',
  invoiceitem: 'InvoiceItem',
  payment_intent: 'PaymentIntent',
  payment_method: 'PaymentMethod',
  charge: 'Charge',
  refund: 'Refund',
  dispute: 'Dispute',
  'checkout.session': 'Checkout.Session',
  'billing_portal.session': 'BillingPortal.Session',
  event: 'Event',
  webhook_endpoint: 'WebhookEndpoint',
  'test_helpers.test_clock': 'TestHelpers.TestClock',
  deleted_customer: 'DeletedCustomer',
  mandate: 'Mandate',
  setup_intent: 'SetupIntent',
  setup_attempt: 'SetupAttempt',
};
const declared = readDeclaredFields(Object.values(SDK_TYPES));

/** Every object the sandbox answers has exactly the top-level fields of Stripe's sample of it. */
describe('objects carry the top-level fields of fixtures3.json, no more and no fewer', () => {
  let kit: StripeKit;
  const objects: Record<string, Json> = {};
  const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as Json;

  beforeAll(async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hook', enabled_events: ['charge.succeeded'] });
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: kit.sandbox.ctx.clock.nowSeconds() });
    const customer = await stripe.customers.create({ email: 'shape@example.nl', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const product = await stripe.products.create({ name: 'Shape' });
    const price = await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 2999, recurring: { interval: 'month' } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const invoice = await stripe.invoices.retrieve(String(subscription.latest_invoice));
    const item = await stripe.invoiceItems.create({ customer: customer.id, amount: 500, currency: 'eur', description: 'Extra' });
    const intent = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur', customer: customer.id, payment_method: 'pm_card_createDispute', confirm: true });
    const charge = await stripe.charges.retrieve(String(intent.latest_charge));
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 100 });
    const dispute = (await stripe.disputes.list({ payment_intent: intent.id })).data[0]!;
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }], success_url: 'https://shop.example/ok' });
    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'https://shop.example/account' });
    const paymentMethod = await stripe.paymentMethods.retrieve(String(customer.invoice_settings.default_payment_method));
    const event = (await stripe.events.list({ limit: 1 })).data[0]!;
    const deleted = await stripe.customers.del((await stripe.customers.create({})).id);
    // A trial paid for with iDEAL: Checkout saves a SEPA Direct Debit with a SetupIntent and a mandate.
    const idealSession = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }], allowed_payment_method_types: ['ideal'], subscription_data: { trial_period_days: 30 }, success_url: 'https://shop.example/ok' });
    const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });
    const bankUrl = String((await fetch(idealSession.url!, form({ method: 'ideal', ideal_bank: 'ing', email: 'shape@example.nl', action: 'pay' }))).headers.get('location'));
    await fetch(bankUrl, form({ method: 'ideal', bank: 'ing', action: 'authorize' }));
    const setupIntent = await stripe.setupIntents.retrieve(String((await stripe.checkout.sessions.retrieve(idealSession.id)).setup_intent));
    Object.assign(objects, {
      customer: json(await stripe.customers.retrieve(customer.id)),
      product: json(product),
      price: json(price),
      plan: json(subscription.items.data[0]!.plan),
      subscription: json(await stripe.subscriptions.retrieve(subscription.id)),
      subscription_item: json(subscription.items.data[0]),
      invoice: json(invoice),
      line_item: json(invoice.lines.data[0]),
      invoiceitem: json(item),
      payment_intent: json(intent),
      payment_method: json(paymentMethod),
      charge: json(charge),
      refund: json(refund),
      dispute: json(dispute),
      'checkout.session': json(session),
      'billing_portal.session': json(portal),
      event: json(event),
      webhook_endpoint: json(await stripe.webhookEndpoints.retrieve(endpoint.id)),
      'test_helpers.test_clock': json(clock),
      deleted_customer: json(deleted),
      mandate: json(await stripe.mandates.retrieve(String(setupIntent.mandate))),
      setup_intent: json(setupIntent),
      setup_attempt: json((await stripe.setupAttempts.list({ setup_intent: setupIntent.id })).data[0]),
    });
    await flushWebhooks(kit.sandbox);
  });
  afterAll(() => kit.stop());

  const resources = Object.keys(SDK_TYPES);
  // The sample predates some removals of the pinned version (an invoice's `subscription`): those are expected absent.
  it.each(resources)('%s', (resource) => {
    const object = objects[resource]!;
    expect(object.object).toBe(samples[resource]!.object);
    const removed = declared.undeclared(SDK_TYPES[resource]!, Object.fromEntries(Object.keys(samples[resource]!).map((key) => [key, null])));
    const expected = Object.keys(samples[resource]!).filter((key) => !removed.includes(`${SDK_TYPES[resource]}.${key}`));
    expect(Object.keys(object).sort()).toEqual(expected.sort());
    if ('livemode' in object) expect(object.livemode).toBe(false);
  });

  it.each(resources)('%s serves no field, at any depth, that the SDK’s type for the pinned version lacks', (resource) => {
    expect(declared.undeclared(SDK_TYPES[resource]!, objects[resource])).toEqual([]);
  });

  it('finds a removed field where one is served (the check itself works)', () => {
    const withRemoved = { ...objects.invoice, subscription: 'sub_1', parent: { ...(objects.invoice!.parent as Json), subscription_details: { metadata: {}, subscription: 'sub_1', plan: 'x' } } };
    expect(declared.undeclared('Invoice', withRemoved)).toEqual(['Invoice.parent.subscription_details.plan', 'Invoice.subscription']);
  });

  it('uses Stripe’s id prefixes and sandbox-clock timestamps', () => {
    const prefixes: Record<string, string> = { customer: 'cus_', product: 'prod_', price: 'price_', subscription: 'sub_', subscription_item: 'si_', invoice: 'in_', line_item: 'il_', invoiceitem: 'ii_', payment_intent: 'pi_', payment_method: 'pm_', charge: 'ch_', refund: 're_', dispute: 'dp_', 'checkout.session': 'cs_test_', 'billing_portal.session': 'bps_', event: 'evt_', webhook_endpoint: 'we_', 'test_helpers.test_clock': 'clock_', mandate: 'mandate_', setup_intent: 'seti_', setup_attempt: 'setatt_' };
    for (const [resource, prefix] of Object.entries(prefixes)) expect(String(objects[resource]!.id), resource).toMatch(new RegExp(`^${prefix}`));
    expect(objects.customer!.created).toBe(Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000));
    void (objects.event as unknown as Stripe.Event);
  });
});
