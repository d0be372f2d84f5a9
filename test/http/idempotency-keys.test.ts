import type Stripe from 'stripe';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteExpiredIdempotencyKeysJob } from '../../src/jobs/delete-expired-idempotency-keys.ts';
import type { ProviderOperations } from '../../src/providers/payments/provider-operations.ts';
import { createApiKey } from '../../src/services/api-keys/create-api-key.ts';
import { RecurError } from '../../src/shared/errors.ts';
import { advanceDays, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { stripeGatewayOf, withStripeGateway } from '../support/payment-providers.ts';
import { seedCustomer } from '../support/seed.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startStripeTestApp } from '../stripe/stripe-test-kit.ts';

type CheckoutCall = Parameters<ProviderOperations['createCheckoutSession']>[0];

/** Stripe's checkout creation with a hand on it: the test can hold the next call at the door, or fail it. */
type CheckoutDoor = {
  /** Calls that reached Stripe, with the idempotency key each sent. */
  keys: string[];
  /** The next call waits before it reaches Stripe until `release`; resolves once it is waiting. */
  holdNext(): { waiting: Promise<void>; release: () => void };
  /** The next call fails as Stripe's outage would (502 provider_failure), without reaching Stripe. */
  failNext(): void;
};

function installCheckoutDoor(t: TestApp): CheckoutDoor {
  const gateway = stripeGatewayOf(t.ctx);
  let hold: { arrived: () => void; released: Promise<void> } | null = null;
  let fail = false;
  const door: CheckoutDoor = {
    keys: [],
    holdNext() {
      let arrived!: () => void;
      let release!: () => void;
      const waiting = new Promise<void>((resolve) => (arrived = resolve));
      hold = { arrived, released: new Promise<void>((resolve) => (release = resolve)) };
      return { waiting, release };
    },
    failNext() {
      fail = true;
    },
  };
  t.ctx.payments = withStripeGateway(t.ctx, {
    ...gateway,
    async createCheckoutSession(session: CheckoutCall) {
      if (fail) {
        fail = false;
        throw new RecurError('provider_failure', 'Stripe failed while creating the checkout session: the test made it fail');
      }
      const held = hold;
      hold = null;
      if (held) {
        held.arrived();
        await held.released;
      }
      door.keys.push(session.idempotencyKey);
      return gateway.createCheckoutSession(session);
    },
  });
  return door;
}

describe.each(testDatabaseKinds)('Idempotency-Key on the API on %s', (kind) => {
  let t: TestApp;
  let kit: StripeKit;
  let stripe: Stripe;
  let door: CheckoutDoor;
  beforeAll(async () => {
    ({ kit, stripe, t } = await startStripeTestApp(kind));
    door = installCheckoutDoor(t);
  });
  afterAll(async () => {
    await t.close();
    await kit.stop();
  });

  const checkoutBody = (customer: string, extra: Record<string, unknown> = {}) => ({ customer, plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account', ...extra });
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}, auth = t.auth) =>
    t.app.inject({ method: 'POST', url, headers: { authorization: auth, 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  const checkout = (customer: string, key?: string, extra: Record<string, unknown> = {}, auth = t.auth) => post('/v1/checkout', checkoutBody(customer, extra), key ? { 'idempotency-key': key } : {}, auth);
  /** The checkout sessions Stripe holds for one of recur's customers, open or not. */
  const sessionsAtStripe = async (customerId: string) => {
    const providerCustomer = (await stripe.customers.list({ limit: 100 })).data.find((customer) => customer.metadata['recur_customer_id'] === customerId);
    if (!providerCustomer) return [];
    return (await stripe.checkout.sessions.list({ customer: providerCustomer.id, limit: 100 })).data.map((session) => session.id);
  };
  const checkoutsStarted = async (customerId: string) =>
    (await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1 AND action = 'checkout_started'", [customerId])).rows[0]!.n;
  const expectError = (answer: LightMyRequestResponse, status: number, code: string) => {
    expect(answer.statusCode).toBe(status);
    expect(answer.json()).toEqual({ error: { code, message: expect.any(String), requestId: answer.headers['x-request-id'] } });
  };
  const keptKeys = async () => (await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM idempotency_keys')).rows[0]!.n;

  it('creates one checkout for two requests with one key: the retry gets the same bytes, marked as replayed', async () => {
    const customerId = await seedCustomer(t, 'idem-1001');
    const first = await checkout('idem-1001', 'order-1001-checkout');
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const retry = await checkout('idem-1001', 'order-1001-checkout');
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(retry.headers['content-type']).toBe(first.headers['content-type']);
    // The same body with its fields in another order and other spacing is the same request.
    const reordered = await post('/v1/checkout', `{ "return_url": "https://shop.example/account",\n "provider": "stripe", "plan": "monthly", "customer": "idem-1001" }`, { 'idempotency-key': 'order-1001-checkout' });
    expect(reordered.headers['idempotent-replayed']).toBe('true');
    expect(reordered.body).toBe(first.body);

    expect(await sessionsAtStripe(customerId)).toEqual([first.json().session_id]);
    expect(await checkoutsStarted(customerId)).toBe(1);
  });

  it('answers 422 idempotency_key_reused to the key with another body or path, and does nothing', async () => {
    const customerId = await seedCustomer(t, 'idem-1002');
    const first = await checkout('idem-1002', 'order-1002');
    expect(first.statusCode).toBe(201);

    expectError(await checkout('idem-1002', 'order-1002', { plan: 'yearly' }), 422, 'idempotency_key_reused');
    expectError(await post('/v1/customers', { external_id: 'idem-1002-b', email: 'idem-1002-b@example.nl' }, { 'idempotency-key': 'order-1002' }), 422, 'idempotency_key_reused');
    expect(await sessionsAtStripe(customerId)).toEqual([first.json().session_id]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/customers/idem-1002-b', headers: { authorization: t.auth } })).statusCode).toBe(404);
  });

  it("keeps each API key's keys apart: another key's same value is a request of its own", async () => {
    const customerId = await seedCustomer(t, 'idem-1003');
    const other = `Bearer ${(await createApiKey(t.ctx, 'second backend', 'test')).key}`;
    const mine = await checkout('idem-1003', 'shared-value');
    const theirs = await checkout('idem-1003', 'shared-value', { plan: 'yearly' }, other);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().session_id).not.toBe(mine.json().session_id);
    expect(await sessionsAtStripe(customerId)).toHaveLength(2);
    // Each key replays its own answer.
    expect((await checkout('idem-1003', 'shared-value', {}, t.auth)).body).toBe(mine.body);
    expect((await checkout('idem-1003', 'shared-value', { plan: 'yearly' }, other)).body).toBe(theirs.body);
  });

  it('lets one of two concurrent requests with one key do the work; the other gets 409 until it is done', async () => {
    const customerId = await seedCustomer(t, 'idem-1004');
    const gate = door.holdNext();
    const first = checkout('idem-1004', 'order-1004');
    await gate.waiting;

    const meanwhile = await checkout('idem-1004', 'order-1004');
    expectError(meanwhile, 409, 'idempotency_key_in_use');
    expect(Number(meanwhile.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    gate.release();
    const done = await first;
    expect(done.statusCode).toBe(201);
    const after = await checkout('idem-1004', 'order-1004');
    expect(after.headers['idempotent-replayed']).toBe('true');
    expect(after.body).toBe(done.body);
    expect(await sessionsAtStripe(customerId)).toEqual([done.json().session_id]);
  });

  it("lets a retry do the work once the first request's lease lapsed; Stripe answers both with one checkout", async () => {
    const customerId = await seedCustomer(t, 'idem-1005');
    const gate = door.holdNext();
    const stuck = checkout('idem-1005', 'order-1005');
    await gate.waiting;
    expectError(await checkout('idem-1005', 'order-1005'), 409, 'idempotency_key_in_use');

    t.clock.advance((t.ctx.config.IDEMPOTENCY_KEY_LEASE_SECONDS + 1) * 1000);
    const calls = door.keys.length;
    const retry = await checkout('idem-1005', 'order-1005');
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(door.keys.length).toBe(calls + 1);

    // The stuck request goes on after all: the same key at Stripe, so the same checkout, not a second one.
    gate.release();
    const late = await stuck;
    expect(late.statusCode).toBe(201);
    expect(door.keys.at(-1)).toBe(door.keys.at(-2));
    expect(late.json().session_id).toBe(retry.json().session_id);
    expect(await sessionsAtStripe(customerId)).toEqual([retry.json().session_id]);
    // The key is the retry's now: its answer is the one replayed.
    expect((await checkout('idem-1005', 'order-1005')).body).toBe(retry.body);
  });

  it('does the work again once the key is older than IDEMPOTENCY_KEY_TTL_HOURS, and the job deletes expired keys', async () => {
    const customerId = await seedCustomer(t, 'idem-1006');
    await seedCustomer(t, 'idem-1007');
    const first = await checkout('idem-1006', 'order-1006');
    expect((await checkout('idem-1007', 'order-1007')).statusCode).toBe(201);
    // A day on, at Stripe too (where the first checkout has expired by then).
    t.clock.advance(t.ctx.config.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000 + 60_000);
    await advanceDays(kit.sandbox, 1);

    const later = await checkout('idem-1006', 'order-1006');
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(later.json().session_id).not.toBe(first.json().session_id);
    expect(await sessionsAtStripe(customerId)).toHaveLength(2);
    expect(await checkoutsStarted(customerId)).toBe(2);

    const before = await keptKeys();
    await deleteExpiredIdempotencyKeysJob(t.ctx).handle({}, { jobId: 'test', attempt: 1 });
    const remaining = await t.ctx.db.query<{ idempotency_key: string }>('SELECT idempotency_key FROM idempotency_keys');
    expect(remaining.rows.map((row) => row.idempotency_key)).toEqual(['order-1006']);
    expect(before).toBeGreaterThan(1);
  });

  it('keeps no 5xx: after a provider failure the retry with the key does the work', async () => {
    const customerId = await seedCustomer(t, 'idem-1008');
    door.failNext();
    const failed = await checkout('idem-1008', 'order-1008');
    expectError(failed, 502, 'provider_failure');
    expect(await sessionsAtStripe(customerId)).toEqual([]);

    const retry = await checkout('idem-1008', 'order-1008');
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await sessionsAtStripe(customerId)).toEqual([retry.json().session_id]);
    // The success is the answer kept for the key.
    const again = await checkout('idem-1008', 'order-1008');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(retry.body);
  });

  it('keeps 4xx answers: a refused request is refused again by replay, even after what refused it changed', async () => {
    const unknown = await checkout('idem-1009', 'order-1009');
    expectError(unknown, 404, 'not_found');
    await seedCustomer(t, 'idem-1009');
    const replayed = await checkout('idem-1009', 'order-1009');
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toBe(unknown.body);

    const invalid = await checkout('idem-1009', 'order-1009-invalid', { plan: '' });
    expectError(invalid, 400, 'validation_failed');
    expect((await checkout('idem-1009', 'order-1009-invalid', { plan: '' })).body).toBe(invalid.body);
  });

  it('behaves as before without the header: every POST does its work, nothing is kept', async () => {
    const customerId = await seedCustomer(t, 'idem-1010');
    const kept = await keptKeys();
    const first = await checkout('idem-1010');
    const second = await checkout('idem-1010');
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.json().session_id).not.toBe(first.json().session_id);
    expect(await sessionsAtStripe(customerId)).toHaveLength(2);
    expect(await keptKeys()).toBe(kept);
  });

  it('refuses a key that is empty, longer than 255 characters or not printable ASCII, before any work', async () => {
    await seedCustomer(t, 'idem-1011');
    const kept = await keptKeys();
    for (const key of ['', 'k'.repeat(256), 'caf\u00e9']) {
      const answer = await post('/v1/checkout', checkoutBody('idem-1011'), { 'idempotency-key': key });
      expectError(answer, 400, 'validation_failed');
      expect(answer.json().error.message).toContain('idempotency-key');
    }
    expect((await checkout('idem-1011', 'k'.repeat(255))).statusCode).toBe(201);
    expect(await keptKeys()).toBe(kept + 1);
  });

  it('never keeps an answer that shows a secret: POST /v1/api-keys refuses the header and creates nothing', async () => {
    const keys = async () => (await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys')).rows[0]!.n;
    const before = await keys();
    const refused = await post('/v1/api-keys', { name: 'with a key' }, { 'idempotency-key': 'new-key-1' });
    expectError(refused, 400, 'validation_failed');
    expect(await keys()).toBe(before);
    expect((await post('/v1/api-keys', { name: 'without one' })).statusCode).toBe(201);
  });

  it('needs the API key: without one the header is never looked at', async () => {
    const kept = await keptKeys();
    const answer = await t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { 'idempotency-key': 'order-anonymous' }, payload: checkoutBody('idem-1001') });
    expectError(answer, 401, 'unauthorized');
    expect(await keptKeys()).toBe(kept);
  });

  it('documents the header on every POST under /v1 but the one that shows a secret', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { parameters?: { in: string; name: string; required?: boolean }[] }>> };
    const headerOf = (path: string, method: string) => document.paths[path]?.[method]?.parameters?.find((parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key');
    const posts = Object.entries(document.paths).filter(([path, operations]) => path.startsWith('/v1/') && operations['post']).map(([path]) => path);
    expect(posts.length).toBeGreaterThan(5);
    // The answers that show a secret once (a new API key, a webhook endpoint's signing secret) are never kept.
    const secretAnswers = ['/v1/api-keys', '/v1/webhook-endpoints', '/v1/webhook-endpoints/{id}/rotate-secret'];
    for (const path of posts.filter((candidate) => !secretAnswers.includes(candidate))) expect(headerOf(path, 'post'), path).toMatchObject({ required: false });
    for (const path of secretAnswers) expect(headerOf(path, 'post'), path).toBeUndefined();
    expect(headerOf('/v1/customers/{id}', 'get')).toBeUndefined();
  });
});
