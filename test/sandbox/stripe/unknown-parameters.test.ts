import qs from 'qs';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceDays, flushWebhooks, startStripe, type StripeKit } from './stripe-kit.ts';

type Spec = { [name: string]: true | Spec };
type Listed = { route: string; accepts: Spec };

const MISSPELLED = 'misspeled_param';

/** Sends one request through the SDK (its headers, its pinned Stripe-Version) and returns the error it raised, if any. */
async function send(stripe: Stripe, route: string, params: Record<string, unknown>): Promise<Stripe.errors.StripeError | null> {
  const [method, template] = route.split(' ') as [string, string];
  const path = `/v1${template.replaceAll(':id', 'x_not_there')}`;
  const request = method === 'POST' ? stripe.rawRequest(method, path, params) : stripe.rawRequest(method, `${path}?${qs.stringify(params)}`);
  return request.then(
    () => null,
    (error: unknown) => error as Stripe.errors.StripeError,
  );
}

function nestedHashes(spec: Spec): string[] {
  return Object.entries(spec)
    .filter(([, rule]) => rule !== true)
    .map(([name]) => name);
}

describe('the Stripe sandbox refuses parameters Stripe does not know (400 parameter_unknown)', () => {
  let kit: StripeKit;
  let stripe: Stripe;
  let routes: Listed[];

  beforeAll(async () => {
    kit = await startStripe();
    stripe = kit.stripe;
    routes = ((await (await fetch(`${kit.sandbox.url}/sandbox/stripe/routes`)).json()) as { routes: Listed[] }).routes;
  });
  afterAll(() => kit.stop());

  it('lists every route with what it accepts', () => {
    const names = routes.map((listed) => listed.route);
    expect(names).toEqual(expect.arrayContaining(['POST /customers', 'GET /customers', 'POST /subscriptions', 'GET /invoices', 'POST /checkout/sessions', 'POST /invoices/create_preview', 'GET /events', 'GET /mandates/:id', 'GET /setup_intents/:id', 'GET /setup_intents', 'GET /setup_attempts']));
    expect(routes.find((listed) => listed.route === 'POST /checkout/sessions')?.accepts.subscription_data).toMatchObject({ trial_period_days: true, metadata: true });
  });

  it('answers a misspelled parameter on every route, create and list alike, before doing anything', async () => {
    const outcomes: Record<string, string> = {};
    for (const { route } of routes) {
      const error = await send(stripe, route, { [MISSPELLED]: '1' });
      outcomes[route] = error ? `${error.statusCode} ${error.code} ${error.param} ${error.message}` : 'accepted';
    }
    const expected = Object.fromEntries(routes.map(({ route }) => [route, `400 parameter_unknown ${MISSPELLED} Received unknown parameter: ${MISSPELLED}`]));
    expect(outcomes).toEqual(expected);
    // Refused before the handler ran: nothing was created, no event was recorded.
    expect((await stripe.customers.list()).data).toEqual([]);
    expect((await stripe.events.list()).data).toEqual([]);
  });

  it('answers a misspelled parameter inside every hash a route takes, naming it with brackets', async () => {
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const { route, accepts } of routes) {
      for (const hash of nestedHashes(accepts)) {
        const error = await send(stripe, route, { [hash]: { [MISSPELLED]: '1' } });
        outcomes[`${route} ${hash}`] = error ? `${error.code} ${error.param}` : 'accepted';
        expected[`${route} ${hash}`] = `parameter_unknown ${hash}[${MISSPELLED}]`;
      }
    }
    expect(Object.keys(expected).length).toBeGreaterThan(10);
    expect(outcomes).toEqual(expected);
  });

  it('names a misspelled nested parameter as Stripe does, through the typed SDK calls', async () => {
    const price = await stripe.prices.create({ currency: 'eur', unit_amount: 1000, recurring: { interval: 'month' }, product_data: { name: 'Strict' } });
    const session = await stripe.checkout.sessions
      .create({ mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }], success_url: 'https://shop.example/ok', subscription_data: { trail_period_days: 7 } } as unknown as Stripe.Checkout.SessionCreateParams)
      .catch((error: unknown) => error);
    expect(session).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(session).toMatchObject({
      statusCode: 400,
      rawType: 'invalid_request_error',
      code: 'parameter_unknown',
      param: 'subscription_data[trail_period_days]',
      message: 'Received unknown parameter: subscription_data[trail_period_days]',
    });
    expect((session as Stripe.errors.StripeError).requestId).toMatch(/^req_/);
    // Stripe keeps no idempotent result for a request that failed validation: the corrected one goes through under the same key.
    const idempotencyKey = 'strict-1';
    const misspelled = { email: 'strict@example.nl', emial: 'strict@example.nl' } as Stripe.CustomerCreateParams;
    await expect(stripe.customers.create(misspelled, { idempotencyKey })).rejects.toMatchObject({ code: 'parameter_unknown', param: 'emial' });
    expect((await stripe.customers.create({ email: 'strict@example.nl' }, { idempotencyKey })).email).toBe('strict@example.nl');

    const customer = await stripe.customers.create({ metadata: { anything: 'goes', 'any-key': 'at all' }, expand: ['subscriptions'] } as Stripe.CustomerCreateParams);
    expect(customer.metadata).toEqual({ anything: 'goes', 'any-key': 'at all' });
    const item = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, prce: price.id }] } as unknown as Stripe.SubscriptionCreateParams).catch((error: unknown) => error);
    expect(item).toMatchObject({ code: 'parameter_unknown', param: 'items[0][prce]' });
    // The pinned version renamed payment_method_types; the old name is unknown.
    const renamed = await stripe.paymentIntents.create({ amount: 500, currency: 'eur', payment_method_types: ['card'] } as unknown as Stripe.PaymentIntentCreateParams).catch((error: unknown) => error);
    expect(renamed).toMatchObject({ code: 'parameter_unknown', param: 'payment_method_types' });
    expect((await stripe.paymentIntents.create({ amount: 500, currency: 'eur', allowed_payment_method_types: ['card'] })).payment_method_types).toEqual(['card']);
  });
});

describe('the Stripe sandbox serves only what the pinned API version has', () => {
  let kit: StripeKit;
  let stripe: Stripe;

  beforeAll(async () => {
    kit = await startStripe();
    stripe = kit.stripe;
  });
  afterAll(() => kit.stop());

  it('names an invoice’s subscription only under parent, and refuses to expand its payment_intent', async () => {
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const price = await stripe.prices.create({ currency: 'eur', unit_amount: 1000, recurring: { interval: 'month' }, product_data: { name: 'Basil' } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const raw = (await stripe.rawRequest('GET', `/v1/invoices/${String(subscription.latest_invoice)}`)) as Record<string, unknown>;
    expect(raw).not.toHaveProperty('subscription');
    expect(raw).toMatchObject({ parent: { type: 'subscription_details', subscription_details: { subscription: subscription.id } } });
    expect((await stripe.invoices.list({ subscription: subscription.id })).data.map((invoice) => invoice.id)).toEqual([subscription.latest_invoice]);
    const refused = await stripe.invoices.retrieve(String(subscription.latest_invoice), { expand: ['payment_intent'] }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ statusCode: 400, rawType: 'invalid_request_error', param: 'expand', message: 'This property cannot be expanded (payment_intent).' });
    const nested = await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice.payment_intent'] }).catch((error: unknown) => error);
    expect(nested).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await flushWebhooks(kit.sandbox);
    const invoiceEvent = (await stripe.events.list({ type: 'invoice.paid' })).data[0]!;
    expect(invoiceEvent.data.object).not.toHaveProperty('subscription');
  });

  it('uses the pinned version’s values: ui_mode hosted_page, a dispute’s submission_method and card network', async () => {
    const price = await stripe.prices.create({ currency: 'eur', unit_amount: 1000, recurring: { interval: 'month' }, product_data: { name: 'Endive' } });
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }], success_url: 'https://shop.example/ok' });
    expect(session.ui_mode).toBe('hosted_page');
    const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'eur', payment_method: 'pm_card_createDispute', confirm: true });
    await advanceDays(kit.sandbox, 1);
    const dispute = (await stripe.disputes.list({ payment_intent: intent.id })).data[0]!;
    expect(dispute.evidence_details.submission_method).toBe('not_submitted');
    expect(dispute.payment_method_details?.card?.network).toBe('visa');
    const submitted = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'notes' } });
    expect(submitted.evidence_details).toMatchObject({ submission_count: 1, submission_method: 'manual' });
  });

  it('changes an invoice item without an invoiceitem.updated event, which the pinned version does not have', async () => {
    const customer = await stripe.customers.create({});
    const item = await stripe.invoiceItems.create({ customer: customer.id, amount: 500, currency: 'eur', description: 'Extra' });
    const changed = await stripe.invoiceItems.update(item.id, { description: 'Changed', amount: 700 });
    expect(changed).toMatchObject({ description: 'Changed', amount: 700 });
    const types = (await stripe.events.list({ limit: 100 })).data.map((event) => event.type as string);
    expect(types).toContain('invoiceitem.created');
    expect(types).not.toContain('invoiceitem.updated');
  });

  it('gives every answer a request id: unknown routes, unimplemented search routes and injected faults', async () => {
    const unknown = await fetch(`${kit.sandbox.url}/v1/nothing_here`, { headers: { authorization: 'Bearer sk_test_recur_sandbox' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('request-id')).toMatch(/^req_/);
    for (const search of [() => stripe.customers.search({ query: "email:'a@example.nl'" }), () => stripe.subscriptions.search({ query: "status:'active'" }), () => stripe.invoices.search({ query: "status:'open'" })]) {
      const error = (await search().catch((failure: unknown) => failure)) as Stripe.errors.StripeError;
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.statusCode).toBe(404);
      expect(error.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/[a-z_]+\/search\)/);
      expect(error.requestId).toMatch(/^req_/);
    }
    const put = (body: unknown) => fetch(`${kit.sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await put({ requests: [{ provider: 'stripe', route: 'GET /v1/customers', errorRate: 1, errorStatus: 503 }] });
    const faulted = await fetch(`${kit.sandbox.url}/v1/customers`, { headers: { authorization: 'Bearer sk_test_recur_sandbox' } });
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('request-id')).toMatch(/^req_/);
    await put({});
  });
});
