import type Stripe from 'stripe';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { advanceDays, intentOfInvoice, START } from './stripe-kit.ts';

const DAY = 86_400;
const START_SECONDS = START.getTime() / 1000;
/** Stripe's SEPA test IBAN that settles three minutes after the debit. */
const SETTLES_LATER = 'AT321904300235473204';

/** What the first half of the scenario made, by id. */
export type Built = {
  endpoint: string;
  customer: string;
  once: string;
  gone: string;
  trialing: string;
  incomplete: string;
  payLater: string;
  debit: string;
  session: string;
  testClock: string;
  onClock: string;
  clocked: string;
};


/**
 * Everything a restart must keep, with work still pending on the clocks: a trial that ends in 30
 * days, a SEPA debit that settles in 3 minutes, two subscriptions that expire in 23 hours if their
 * first invoice stays unpaid (one will be paid), a checkout session that expires in 24 hours, a
 * test clock a day before a renewal it has already announced, a settings change and an
 * idempotent request.
 */
export async function buildState(stripe: Stripe, sandbox: RunningSandbox, endpoint: string): Promise<Built> {
  // Two days' notice puts invoice.upcoming after trial_will_end, so a forgotten setting changes the sequence.
  await fetch(`${sandbox.url}/sandbox/stripe/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ upcomingInvoiceDays: 2 }) });
  const price = await stripe.prices.create({ currency: 'eur', unit_amount: 2999, recurring: { interval: 'month' }, product_data: { name: 'Club monthly' } });
  const customer = await stripe.customers.create({ email: 'jan@example.nl', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  const trialing = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 30 });
  const once = await stripe.customers.create({ email: 'once@example.nl' }, { idempotencyKey: 'create-once' });
  const gone = await stripe.customers.create({ email: 'gone@example.nl' });
  await stripe.customers.del(gone.id);

  const sepa = await stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: SETTLES_LATER }, billing_details: { name: 'Jan', email: 'jan@example.nl' } });
  const debit = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur', customer: customer.id, payment_method: sepa.id, confirm: true });
  const unpaid = await stripe.customers.create({ email: 'later@example.nl' });
  const incomplete = await stripe.subscriptions.create({ customer: unpaid.id, items: [{ price: price.id }], payment_behavior: 'default_incomplete' });
  const payLater = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], payment_behavior: 'default_incomplete' });
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ price_data: { currency: 'eur', unit_amount: 500, product_data: { name: 'Shuttlecocks' } }, quantity: 1 }],
    success_url: 'https://shop.example/done',
  });

  const now = sandbox.ctx.clock.nowSeconds();
  const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: now, name: 'restart' });
  const onClock = await stripe.customers.create({ test_clock: testClock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  const clocked = await stripe.subscriptions.create({ customer: onClock.id, items: [{ price: price.id }] });
  // Past the renewal's invoice.upcoming (day 29), not yet at the renewal (day 31): the notice must not go out twice.
  await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: now + 30 * DAY });
  return {
    endpoint, customer: customer.id, once: once.id, gone: gone.id, trialing: trialing.id, incomplete: incomplete.id, payLater: payLater.id,
    debit: debit.id, session: session.id, testClock: testClock.id, onClock: onClock.id, clocked: clocked.id,
  };
}

/** What a client can read without changing anything; equal before and after a restart. */
export async function observe(stripe: Stripe, sandbox: RunningSandbox, built: Built) {
  const settings = (await (await fetch(`${sandbox.url}/sandbox/stripe/settings`)).json()) as Record<string, unknown>;
  const testClock = await stripe.testHelpers.testClocks.retrieve(built.testClock);
  const payLater = await intentOfInvoice(stripe, (await stripe.subscriptions.retrieve(built.payLater)).latest_invoice as string);
  return {
    now: sandbox.ctx.clock.nowSeconds(),
    upcomingInvoiceDays: settings.upcomingInvoiceDays,
    customers: (await stripe.customers.list({ limit: 100 })).data.map((customer) => customer.id),
    subscriptions: (await stripe.subscriptions.list({ status: 'all', limit: 100 })).data.map((s) => `${s.id} ${s.status}`),
    invoices: (await stripe.invoices.list({ limit: 100 })).data.map((invoice) => `${invoice.id} ${invoice.status}`),
    debit: (await stripe.paymentIntents.retrieve(built.debit)).status,
    session: (await stripe.checkout.sessions.retrieve(built.session)).status,
    lineItems: (await stripe.checkout.sessions.listLineItems(built.session)).data.map((item) => `${item.description} ${item.amount_total}`),
    gone: await stripe.customers.retrieve(built.gone).then((customer) => ('deleted' in customer ? 'deleted' : 'live'), () => 'unknown'),
    payLater: `${payLater.id} ${payLater.status}`,
    testClock: `${testClock.status} ${testClock.frozen_time - sandbox.ctx.clock.nowSeconds()}`,
    endpoints: (await stripe.webhookEndpoints.list()).data.map((endpoint) => endpoint.id),
    events: (await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1000 })).map((event) => `${event.id} ${event.type} ${event.created - START_SECONDS}`),
  };
}

export type View = Awaited<ReturnType<typeof observe>>;

/** The second half: the open first invoice paid, then a month and a bit on the test clock and on the shared clock. */
export async function moveOn(stripe: Stripe, sandbox: RunningSandbox, built: Built): Promise<void> {
  const payLater = await intentOfInvoice(stripe, (await stripe.subscriptions.retrieve(built.payLater)).latest_invoice as string);
  await stripe.paymentIntents.confirm(payLater.id, { payment_method: 'pm_card_visa' });
  await stripe.customers.update(built.onClock, { metadata: { moved: 'on' } });
  const testClock = await stripe.testHelpers.testClocks.retrieve(built.testClock);
  await stripe.testHelpers.testClocks.advance(built.testClock, { frozen_time: testClock.frozen_time + 35 * DAY });
  await advanceDays(sandbox, 35);
}

/** A view with ids left out, to compare two runs (their ids are random). */
export function withoutIds(view: View) {
  const kind = (entries: string[]) => entries.map((entry) => entry.split(' ').slice(1).join(' '));
  return {
    ...view,
    customers: view.customers.length,
    subscriptions: kind(view.subscriptions),
    invoices: kind(view.invoices),
    payLater: kind([view.payLater]),
    endpoints: view.endpoints.length,
    events: kind(view.events),
  };
}
