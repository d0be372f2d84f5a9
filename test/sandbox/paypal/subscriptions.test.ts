import { IntervalUnit, SubscriptionsController, TenureType, type Client } from '@paypal/paypal-server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { accessToken, approveAs, eventsOf, paypalCall, paypalSdk, signatureHolds, startPaypalSandbox, startWebhookListener } from './paypal-kit.ts';

let sandbox: RunningSandbox;
let sdk: Client;
let subscriptions: SubscriptionsController;
let token: string;
let listener: Awaited<ReturnType<typeof startWebhookListener>>;
let webhookId: string;
let productId: string;

const regular = (price: string, unit: IntervalUnit, sequence: number) => ({
  tenureType: TenureType.Regular,
  sequence,
  totalCycles: 0,
  frequency: { intervalUnit: unit, intervalCount: 1 },
  pricingScheme: { fixedPrice: { currencyCode: 'EUR', value: price } },
});

async function createPlan(withTrial: boolean, unit = IntervalUnit.Month, price = '9.99'): Promise<string> {
  const { result } = await subscriptions.createBillingPlan({
    body: {
      productId,
      name: `${unit} ${withTrial ? 'with trial' : ''}`,
      billingCycles: [...(withTrial ? [{ tenureType: TenureType.Trial, sequence: 1, totalCycles: 1, frequency: { intervalUnit: IntervalUnit.Day, intervalCount: 30 } }] : []), regular(price, unit, withTrial ? 2 : 1)],
      paymentPreferences: { autoBillOutstanding: true, paymentFailureThreshold: 3 },
    },
  });
  return result.id!;
}

async function subscribe(planId: string, customId: string): Promise<{ id: string; approve: string }> {
  const { result } = await subscriptions.createSubscription({
    body: { planId, customId, subscriber: { emailAddress: 'klant@example.nl' }, applicationContext: { returnUrl: 'https://shop.example/paypal/return', cancelUrl: 'https://shop.example/paypal/cancel' } },
  });
  return { id: result.id!, approve: result.links!.find((link) => link.rel === 'approve')!.href };
}

beforeAll(async () => {
  sandbox = await startPaypalSandbox();
  sdk = paypalSdk(sandbox.url);
  subscriptions = new SubscriptionsController(sdk);
  token = await accessToken(sandbox.url);
  listener = await startWebhookListener();
  const webhook = await paypalCall(sandbox.url, token, 'POST', '/v1/notifications/webhooks', { url: listener.url('/webhooks/paypal'), event_types: [{ name: '*' }] });
  webhookId = webhook.body.id as string;
  const product = await paypalCall(sandbox.url, token, 'POST', '/v1/catalogs/products', { name: 'recur Pro', type: 'SERVICE' });
  productId = product.body.id as string;
});
afterAll(async () => {
  await sandbox.stop();
  await listener.close();
});

describe('PayPal sandbox: OAuth', () => {
  it('grants client-credentials tokens that live 32400 s, and refuses wrong credentials', async () => {
    const basic = (secret: string) => `Basic ${Buffer.from(`${sandbox.describe().providers && (sandbox.describe().providers as Record<string, { clientId: string }>).paypal!.clientId}:${secret}`).toString('base64')}`;
    const paypal = (sandbox.describe().providers as Record<string, { clientSecret: string }>).paypal!;
    const ok = await fetch(`${sandbox.url}/paypal/v1/oauth2/token`, { method: 'POST', headers: { authorization: basic(paypal.clientSecret), 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    const grant = (await ok.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(grant).toMatchObject({ token_type: 'Bearer', expires_in: 32400 });
    const wrong = await fetch(`${sandbox.url}/paypal/v1/oauth2/token`, { method: 'POST', headers: { authorization: basic('nope'), 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('answers 401 invalid_token without a token or with an unknown one, and keeps tokens valid across a clock move (they expire by wall time)', async () => {
    expect((await paypalCall(sandbox.url, 'A21AAunknown', 'GET', `/v1/catalogs/products/${productId}`)).status).toBe(401);
    const missing = await fetch(`${sandbox.url}/paypal/v1/catalogs/products/${productId}`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: 'invalid_token' });
    await sandbox.advance(new Date(sandbox.ctx.clock.now().getTime() + 86_400_000));
    expect((await paypalCall(sandbox.url, token, 'GET', `/v1/catalogs/products/${productId}`)).status).toBe(200);
  });
});

describe('PayPal sandbox: token expiry by wall time', () => {
  it('a token dies 32400 s of real time after its grant: 401 invalid_token, and a new grant works', async () => {
    const shortLived = await accessToken(sandbox.url);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 32_399_000);
      expect((await paypalCall(sandbox.url, shortLived, 'GET', `/v1/catalogs/products/${productId}`)).status).toBe(200);
      vi.setSystemTime(Date.now() + 2_000);
      const expired = await paypalCall(sandbox.url, shortLived, 'GET', `/v1/catalogs/products/${productId}`);
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ error: 'invalid_token' });
      const fresh = await accessToken(sandbox.url);
      expect((await paypalCall(sandbox.url, fresh, 'GET', `/v1/catalogs/products/${productId}`)).status).toBe(200);
      token = fresh;
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('PayPal sandbox: products and plans', () => {
  it('creates, gets and lists products, with PayPal errors for a missing one', async () => {
    const got = await paypalCall(sandbox.url, token, 'GET', `/v1/catalogs/products/${productId}`);
    expect(got.body).toMatchObject({ id: productId, name: 'recur Pro', type: 'SERVICE' });
    expect(productId).toMatch(/^PROD-/);
    const list = await paypalCall(sandbox.url, token, 'GET', '/v1/catalogs/products?page_size=20');
    expect((list.body.products as { id: string }[]).map((product) => product.id)).toContain(productId);
    const missing = await paypalCall(sandbox.url, token, 'GET', '/v1/catalogs/products/PROD-NOPE');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ name: 'RESOURCE_NOT_FOUND', details: [{ issue: 'INVALID_RESOURCE_ID' }] });
    expect(typeof missing.body.debug_id).toBe('string');
  });

  it('creates plans with a trial and a regular cycle through the SDK, lists them by product, deactivates and activates', async () => {
    const planId = await createPlan(true);
    const { result: plan } = await subscriptions.getBillingPlan(planId);
    expect(plan).toMatchObject({ id: planId, productId, status: 'ACTIVE', paymentPreferences: { paymentFailureThreshold: 3 } });
    expect(plan.billingCycles!.map((cycle) => cycle.tenureType)).toEqual(['TRIAL', 'REGULAR']);
    expect(plan.billingCycles![1]!.pricingScheme!.fixedPrice).toEqual({ currencyCode: 'EUR', value: '9.99' });
    const { result: list } = await subscriptions.listBillingPlans({ productId });
    expect(list.plans!.map((listed) => listed.id)).toContain(planId);
    await subscriptions.deactivateBillingPlan(planId);
    expect((await subscriptions.getBillingPlan(planId)).result.status).toBe('INACTIVE');
    const refused = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', { plan_id: planId });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'PLAN_STATUS_INVALID' }] });
    await subscriptions.activateBillingPlan(planId);
    expect((await subscriptions.getBillingPlan(planId)).result.status).toBe('ACTIVE');
  });

  it('refuses a malformed plan with INVALID_REQUEST naming the field', async () => {
    const answer = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/plans', { product_id: productId, billing_cycles: [] });
    expect(answer.status).toBe(400);
    expect(answer.body.name).toBe('INVALID_REQUEST');
    expect((answer.body.details as { field: string; issue: string }[]).map((detail) => detail.field)).toEqual(expect.arrayContaining(['/name', '/billing_cycles']));
    const malformed = await fetch(`${sandbox.url}/paypal/v1/billing/plans`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"product_id":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ name: 'INVALID_REQUEST', details: [{ issue: 'MALFORMED_REQUEST_JSON' }] });
  });
});

describe('PayPal sandbox: subscriptions', () => {
  it('create -> APPROVAL_PENDING with an approve link -> approval page -> return URL with subscription_id, ba_token and token -> ACTIVE in trial', async () => {
    const planId = await createPlan(true);
    const { id, approve } = await subscribe(planId, 'customer-1');
    expect(id).toMatch(/^I-/);
    expect((await subscriptions.getSubscription({ id })).result.status).toBe('APPROVAL_PENDING');
    const redirect = await approveAs(approve, 'pays@payers.recur.test');
    expect(redirect.status).toBe(302);
    const target = new URL(redirect.headers.get('location')!);
    expect(`${target.origin}${target.pathname}`).toBe('https://shop.example/paypal/return');
    expect(target.searchParams.get('subscription_id')).toBe(id);
    expect(target.searchParams.get('ba_token')).toMatch(/^BA-/);
    expect(target.searchParams.get('token')).toMatch(/^EC-/);
    const { result } = await subscriptions.getSubscription({ id });
    expect(result).toMatchObject({ status: 'ACTIVE', customId: 'customer-1', subscriber: { emailAddress: 'pays@payers.recur.test' } });
    expect(result.billingInfo!.cycleExecutions![0]).toMatchObject({ tenureType: 'TRIAL', cyclesCompleted: 1 });
    expect(result.billingInfo!.nextBillingTime).toBe(new Date(sandbox.ctx.clock.now().getTime() + 30 * 86_400_000).toISOString().replace('.000', ''));
    expect(result.billingInfo!.failedPaymentsCount).toBe(0);
    // The link is spent: the page is gone once approved.
    expect((await fetch(approve)).status).toBe(404);
  });

  it('a plan without trial charges the first cycle at approval (PAYMENT.SALE.COMPLETED with billing_agreement_id), and a declining payer cannot approve it', async () => {
    const planId = await createPlan(false, IntervalUnit.Year, '99.00');
    const declined = await subscribe(planId, 'customer-2');
    const refused = await approveAs(declined.approve, 'declines@payers.recur.test');
    expect(refused.status).toBe(402);
    expect((await subscriptions.getSubscription({ id: declined.id })).result.status).toBe('APPROVAL_PENDING');
    const { id, approve } = await subscribe(planId, 'customer-3');
    await approveAs(approve, 'pays@payers.recur.test');
    await sandbox.ctx.webhooks.flush();
    const sale = eventsOf(listener.received).find((event) => event.event_type === 'PAYMENT.SALE.COMPLETED' && event.resource.billing_agreement_id === id);
    expect(sale?.resource).toMatchObject({ state: 'completed', amount: { total: '99.00', currency: 'EUR' }, billing_agreement_id: id });
    const { result } = await subscriptions.getSubscription({ id });
    expect(result.billingInfo!.lastPayment!.amount).toEqual({ currencyCode: 'EUR', value: '99.00' });
    const start = new Date(sandbox.ctx.clock.now().getTime() - 86_400_000).toISOString();
    const end = new Date(sandbox.ctx.clock.now().getTime() + 86_400_000).toISOString();
    const { result: transactions } = await subscriptions.listSubscriptionTransactions({ id, startTime: start, endTime: end });
    expect(transactions.transactions!.map((transaction) => transaction.amountWithBreakdown.grossAmount)).toEqual([{ currencyCode: 'EUR', value: '99.00' }]);
  });

  it('suspends, activates, revises (from the next cycle) and cancels, each with its event', async () => {
    const monthly = await createPlan(true);
    const yearly = await createPlan(true, IntervalUnit.Year, '99.00');
    const { id, approve } = await subscribe(monthly, 'customer-4');
    await approveAs(approve, 'pays@payers.recur.test');
    await subscriptions.suspendSubscription({ id, body: { reason: 'customer asked' } });
    expect((await subscriptions.getSubscription({ id })).result.status).toBe('SUSPENDED');
    await subscriptions.activateSubscription({ id, body: { reason: 'back' } });
    expect((await subscriptions.getSubscription({ id })).result.status).toBe('ACTIVE');
    const { result: revision } = await subscriptions.reviseSubscription({ id, body: { planId: yearly } });
    expect(revision.planId).toBe(yearly);
    expect((await subscriptions.getSubscription({ id })).result.planId).toBe(monthly);
    await sandbox.advance(new Date(sandbox.ctx.clock.now().getTime() + 31 * 86_400_000));
    const after = (await subscriptions.getSubscription({ id })).result;
    expect(after.planId).toBe(yearly);
    expect(after.billingInfo!.lastPayment!.amount).toEqual({ currencyCode: 'EUR', value: '99.00' });
    await subscriptions.cancelSubscription({ id, body: { reason: 'done' } });
    expect((await subscriptions.getSubscription({ id })).result.status).toBe('CANCELLED');
    const wrong = await paypalCall(sandbox.url, token, 'POST', `/v1/billing/subscriptions/${id}/suspend`, { reason: 'again' });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ details: [{ issue: 'SUBSCRIPTION_STATUS_INVALID' }] });
    await sandbox.ctx.webhooks.flush();
    const types = eventsOf(listener.received).filter((event) => event.resource.id === id).map((event) => event.event_type);
    expect(types).toEqual(['BILLING.SUBSCRIPTION.CREATED', 'BILLING.SUBSCRIPTION.ACTIVATED', 'BILLING.SUBSCRIPTION.SUSPENDED', 'BILLING.SUBSCRIPTION.ACTIVATED', 'BILLING.SUBSCRIPTION.UPDATED', 'BILLING.SUBSCRIPTION.CANCELLED']);
  });
});

describe('PayPal sandbox: idempotency', () => {
  it('the same PayPal-Request-Id and body answers the same and creates nothing new; another body is refused', async () => {
    const planId = await createPlan(true);
    const body = { plan_id: planId, custom_id: 'idem-1' };
    const first = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', body, { 'PayPal-Request-Id': 'sub-idem-1' });
    const second = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', body, { 'PayPal-Request-Id': 'sub-idem-1' });
    expect(second).toEqual(first);
    const events = (await (await fetch(`${sandbox.url}/paypal/sandbox/events`)).json()) as { data: { event_type: string }[] };
    const subscriptionsCreated = events.data.filter((event) => event.event_type === 'BILLING.SUBSCRIPTION.CREATED').length;
    const third = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', body);
    expect(third.body.id).not.toBe(first.body.id);
    const afterThird = (await (await fetch(`${sandbox.url}/paypal/sandbox/events`)).json()) as { data: { event_type: string }[] };
    expect(afterThird.data.filter((event) => event.event_type === 'BILLING.SUBSCRIPTION.CREATED').length).toBe(subscriptionsCreated + 1);
    const other = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', { ...body, custom_id: 'idem-2' }, { 'PayPal-Request-Id': 'sub-idem-1' });
    expect(other.status).toBe(422);
  });
});

describe('PayPal sandbox: webhooks', () => {
  it('signs every delivery as PayPal does, with a certificate issued by the served root', async () => {
    await sandbox.ctx.webhooks.flush();
    expect(listener.received.length).toBeGreaterThan(5);
    const root = await (await fetch(`${sandbox.url}/paypal/sandbox/root-ca.pem`)).text();
    for (const request of listener.received) expect(await signatureHolds(request, webhookId, root)).toBe(true);
    const tampered = { ...listener.received[0]!, body: listener.received[0]!.body.replace('"event_type"', '"event_type" ') };
    expect(await signatureHolds(tampered, webhookId, root)).toBe(false);
    expect(await signatureHolds(listener.received[0]!, 'OTHERWEBHOOKID', root)).toBe(false);
    const event = eventsOf(listener.received)[0]!;
    expect(event.id).toMatch(/^WH-/);
    expect(Object.keys(event)).toEqual(expect.arrayContaining(['id', 'event_type', 'resource_type', 'resource', 'create_time', 'summary', 'links']));
  });

  it('verify-webhook-signature answers SUCCESS for a delivery and FAILURE for a changed one', async () => {
    const request = listener.received[0]!;
    const header = (name: string) => String(request.headers[name]);
    const postback = (webhookEvent: unknown) =>
      paypalCall(sandbox.url, token, 'POST', '/v1/notifications/verify-webhook-signature', {
        auth_algo: header('paypal-auth-algo'),
        cert_url: header('paypal-cert-url'),
        transmission_id: header('paypal-transmission-id'),
        transmission_sig: header('paypal-transmission-sig'),
        transmission_time: header('paypal-transmission-time'),
        webhook_id: webhookId,
        webhook_event: webhookEvent,
      });
    expect((await postback(JSON.parse(request.body))).body).toEqual({ verification_status: 'SUCCESS' });
    expect((await postback({ ...JSON.parse(request.body), summary: 'changed' })).body).toEqual({ verification_status: 'FAILURE' });
  });

  it('drops chosen event types as a fault (PayPal is known to lose CANCELLED)', async () => {
    await fetch(`${sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ webhooks: [{ provider: 'paypal', dropEventTypes: ['BILLING.SUBSCRIPTION.CANCELLED'] }] }) });
    const planId = await createPlan(true);
    const { id, approve } = await subscribe(planId, 'customer-drop');
    await approveAs(approve, 'pays@payers.recur.test');
    await subscriptions.cancelSubscription({ id, body: { reason: 'gone' } });
    await sandbox.ctx.webhooks.flush();
    await fetch(`${sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    const types = eventsOf(listener.received).filter((event) => event.resource.id === id).map((event) => event.event_type);
    expect(types).toEqual(['BILLING.SUBSCRIPTION.CREATED', 'BILLING.SUBSCRIPTION.ACTIVATED']);
    const deliveries = (await (await fetch(`${sandbox.url}/sandbox/webhooks/deliveries`)).json()) as { data: { provider: string; status: string }[] };
    expect(deliveries.data.filter((delivery) => delivery.provider === 'paypal' && delivery.status === 'dropped')).toHaveLength(1);
  });

  it('lists the events raised with their deliveries on a page, escaped', async () => {
    await sandbox.ctx.webhooks.flush();
    const page = await (await fetch(`${sandbox.url}/paypal/sandbox/events.html`)).text();
    const last = eventsOf(listener.received).at(-1)!;
    expect(page).toContain(last.id);
    expect(page).toContain('BILLING.SUBSCRIPTION.CANCELLED');
    expect(page).toMatch(/delivered \(1x\) http:\/\/127\.0\.0\.1:\d+\/webhooks\/paypal/);
    expect(page).not.toContain('<script');
  });

  it('answers configured request faults in PayPal\'s error shape', async () => {
    await fetch(`${sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests: [{ provider: 'paypal', route: 'GET /paypal/v1/catalogs/products/:id', errorRate: 1, errorStatus: 429 }] }) });
    const limited = await paypalCall(sandbox.url, token, 'GET', `/v1/catalogs/products/${productId}`);
    await fetch(`${sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ name: 'RATE_LIMIT_REACHED' });
    expect((await paypalCall(sandbox.url, token, 'GET', `/v1/catalogs/products/${productId}`)).status).toBe(200);
  });
});
