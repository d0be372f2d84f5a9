import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashApiKey } from '../../src/services/api-keys/api-key-secret.ts';
import { createApiKey } from '../../src/services/api-keys/create-api-key.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { countRows, startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** What a read key may call: the reads a shop's frontend servers need (README, "API keys"). */
const READ_OPERATIONS = [
  'GET /v1/customers/{id}',
  'GET /v1/customers/{id}/entitlement',
  'GET /v1/customers/{id}/prepaid-periods',
  'GET /v1/plans',
  'GET /v1/subscriptions',
  'GET /v1/subscriptions/{id}',
];

describe.each(testDatabaseKinds)('API key scopes on %s', (kind) => {
  let t: TestApp;
  let readAuth: string;
  let customerExternalId: string;
  let subscriptionId: string;
  /** Every /v1 operation the OpenAPI document lists, as "METHOD /v1/path/{param}". */
  let operations: string[];

  beforeAll(async () => {
    t = await startTestApp(kind);
    customerExternalId = 'shop-7731';
    const customerId = await seedCustomer(t, customerExternalId);
    subscriptionId = await seedSubscription(t, customerId);
    t.clock.advance(1000);
    const created = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: t.auth }, payload: { name: 'webshop frontend', scope: 'read' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'webshop frontend', scope: 'read' });
    readAuth = `Bearer ${created.json().key}`;

    const paths = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths as Record<string, Record<string, unknown>>;
    operations = Object.entries(paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, byMethod]) => Object.keys(byMethod).map((method) => `${method.toUpperCase()} ${path}`));
  });
  afterAll(() => t.close());

  /** The operation's path with ids that exist, so an allowed read answers 200. */
  function urlOf(operation: string): { method: Method; url: string } {
    const [method, path] = operation.split(' ') as [Method, string];
    const url = path
      .replace(/^\/v1\/customers\/\{id\}/, `/v1/customers/${customerExternalId}`)
      .replace(/^\/v1\/subscriptions\/\{id\}/, `/v1/subscriptions/${subscriptionId}`)
      .replace(/\{[^}]+\}/g, '4f1c2b8e-5d3a-4c7e-9b1f-2a6d8e0c4b7a');
    return { method, url };
  }

  const call = (operation: string, auth: string) => {
    const { method, url } = urlOf(operation);
    return t.app.inject({ method, url, headers: { authorization: auth }, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
  };

  it('the document lists the read operations and the admin ones it must refuse (writes, keys, reconciliation, webhook and notice admin)', () => {
    expect(operations).toEqual(expect.arrayContaining(READ_OPERATIONS));
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /v1/customers',
        'PATCH /v1/customers/{id}',
        'POST /v1/checkout',
        'POST /v1/subscriptions/{id}/cancel',
        'POST /v1/api-keys',
        'GET /v1/api-keys',
        'DELETE /v1/api-keys/{id}',
        'GET /v1/reconciliation/runs',
        'GET /v1/webhook-events',
        'GET /v1/notifications',
      ]),
    );
  });

  it('a read key gets entitlement, the customer, subscriptions and plans', async () => {
    for (const operation of READ_OPERATIONS) {
      const answer = await call(operation, readAuth);
      expect([operation, answer.statusCode]).toEqual([operation, 200]);
    }
    const entitlement = await call('GET /v1/customers/{id}/entitlement', readAuth);
    expect(entitlement.json()).toMatchObject({ customer: customerExternalId, entitled: true, reason: 'active', subscription_id: subscriptionId });
  });

  it('a read key gets 403 insufficient_scope on every other /v1 operation, writes nothing, and the admin key still passes', async () => {
    const adminOnly = operations.filter((operation) => !READ_OPERATIONS.includes(operation));
    expect(adminOnly.filter((operation) => !operation.startsWith('GET ')).length).toBeGreaterThan(10);
    const before = await countRows(t);
    for (const operation of adminOnly) {
      const refused = await call(operation, readAuth);
      expect([operation, refused.statusCode]).toEqual([operation, 403]);
      expect(refused.json()).toEqual({
        error: { code: 'insufficient_scope', message: expect.stringContaining('needs an API key with the admin scope'), requestId: refused.headers['x-request-id'] },
      });
    }
    expect(await countRows(t)).toEqual(before);
    for (const operation of ['GET /v1/api-keys', 'GET /v1/reconciliation/runs', 'GET /v1/webhook-events', 'GET /v1/notifications']) {
      expect([operation, (await call(operation, t.auth)).statusCode]).toEqual([operation, 200]);
    }
  });

  it('decides the scope from the key cache: a known key asks the database nothing to be allowed or refused', async () => {
    await call('GET /v1/plans', readAuth);
    const unseen = `Bearer ${(await createApiKey(t.ctx, 'not used yet', 'test', 'read')).key}`;
    const queries = vi.spyOn(t.ctx.db, 'query');
    try {
      expect((await call('GET /v1/plans', readAuth)).statusCode).toBe(200);
      expect((await call('POST /v1/customers', readAuth)).statusCode).toBe(403);
      expect((await call('GET /v1/api-keys', readAuth)).statusCode).toBe(403);
      expect(queries).not.toHaveBeenCalled();
      // The spy sees queries: a key this process has not met yet is looked up once.
      expect((await call('GET /v1/plans', unseen)).statusCode).toBe(200);
      expect(queries).toHaveBeenCalled();
    } finally {
      queries.mockRestore();
    }
  });

  it('a read key cannot make itself an admin key', async () => {
    const before = await countRows(t);
    const refused = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: readAuth }, payload: { name: 'escalation', scope: 'admin' } });
    expect(refused.statusCode).toBe(403);
    expect(await countRows(t)).toEqual(before);
  });

  it('lists each key with its scope', async () => {
    const listed = (await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { authorization: t.auth } })).json().data as { name: string; scope: string }[];
    expect(listed.map(({ name, scope }) => ({ name, scope }))).toEqual(
      expect.arrayContaining([
        { name: 'webshop frontend', scope: 'read' },
        { name: 'test suite', scope: 'admin' },
      ]),
    );
  });

  it('a key stored before scopes existed (no scope written) is an admin key', async () => {
    const key = `rk_${'K'.repeat(43)}`;
    await t.ctx.db.query('INSERT INTO api_keys (name, key_hash, key_prefix, created_at) VALUES ($1, $2, $3, $4)', ['from before', hashApiKey(key), key.slice(0, 9), t.clock.now()]);
    const created = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: `Bearer ${key}` }, payload: { name: 'made by an old key' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().scope).toBe('admin');
  });

  it('says in the OpenAPI document which scope each operation needs, and which scope a key may be created with', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const scopes = Object.fromEntries(
      Object.entries(document.paths as Record<string, Record<string, { 'x-recur-scope'?: string }>>)
        .filter(([path]) => path.startsWith('/v1/'))
        .flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation['x-recur-scope']])),
    );
    for (const operation of operations) expect([operation, scopes[operation]]).toEqual([operation, READ_OPERATIONS.includes(operation) ? 'read' : 'admin']);
    // Routes without an API key say so with their own security, and no scope.
    expect(document.paths['/healthz'].get['x-recur-scope']).toBeUndefined();
    const body = document.paths['/v1/api-keys'].post.requestBody.content['application/json'].schema;
    expect(body.properties.scope).toMatchObject({ enum: ['read', 'admin'], default: 'admin' });
  });
});
