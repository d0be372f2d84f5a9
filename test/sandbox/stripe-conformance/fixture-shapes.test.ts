import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { stripeSandbox } from '../../../sandbox/stripe/stripe-sandbox.ts';
import { readReference } from '../../support/reference.ts';

const KEY = 'sk_test_recur_sandbox';
type Fixtures = { resources: Record<string, Record<string, unknown>> };
const fixtures = (JSON.parse(readReference('stripe/fixtures3.json')) as Fixtures).resources;

// Stripe's own sample objects are the contract: what the sandbox answers must carry exactly the
// top-level fields Stripe's sample of the same resource carries.
describe('Stripe sandbox objects have the top-level fields of Stripe’s published samples', () => {
  let sandbox: RunningSandbox;
  let stripe: Stripe;
  const raw: Record<string, Record<string, unknown>> = {};

  const get = async (path: string) => {
    const response = await fetch(`${sandbox.url}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ providers: [stripeSandbox], start: new Date() });
    const port = Number(new URL(sandbox.url).port);
    stripe = new Stripe(KEY, { host: '127.0.0.1', port, protocol: 'http' });

    const customer = await stripe.customers.create({ email: 'anna@example.nl', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const product = await stripe.products.create({ name: 'Monthly' });
    const price = await stripe.prices.create({ product: product.id, unit_amount: 2999, currency: 'eur', recurring: { interval: 'month' } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const disputed = await stripe.paymentIntents.create({
      amount: 2999,
      currency: 'eur',
      customer: customer.id,
      payment_method: 'pm_card_createDispute',
      confirm: true,
    });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'https://shop.example/return?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://shop.example/cancel',
    });
    const latestInvoice = typeof subscription.latest_invoice === 'string' ? subscription.latest_invoice : subscription.latest_invoice?.id;

    raw.customer = await get(`/v1/customers/${customer.id}`);
    raw.subscription = await get(`/v1/subscriptions/${subscription.id}`);
    raw.invoice = await get(`/v1/invoices/${latestInvoice}`);
    const charges = (await get(`/v1/charges?payment_intent=${disputed.id}`)) as { data: Record<string, unknown>[] };
    raw.charge = charges.data[0]!;
    const disputes = (await get(`/v1/disputes?charge=${raw.charge.id as string}`)) as { data: Record<string, unknown>[] };
    raw.dispute = disputes.data[0]!;
    raw['checkout.session'] = await get(`/v1/checkout/sessions/${session.id}`);
    const events = (await get('/v1/events?limit=1')) as { data: Record<string, unknown>[] };
    raw.event = events.data[0]!;
  });
  afterAll(() => sandbox?.stop());

  it.each(['customer', 'subscription', 'invoice', 'charge', 'dispute', 'checkout.session', 'event'])('%s', (resource) => {
    const sample = fixtures[resource]!;
    const object = raw[resource]!;
    expect(object.object).toBe(sample.object);
    expect(Object.keys(object).sort()).toEqual(Object.keys(sample).sort());
  });
});
