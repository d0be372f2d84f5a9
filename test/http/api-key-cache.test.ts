import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_CACHE_MS } from '../../src/services/api-keys/api-key-cache.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

type KeyJson = { id: string; key: string; last_used_at: string | null };

describe.each(testDatabaseKinds)('API keys remembered for a few seconds on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  const get = (url: string, auth: string) => t.app.inject({ method: 'GET', url, headers: { authorization: auth } });
  const createKey = async (name: string): Promise<KeyJson> => (await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: t.auth }, payload: { name } })).json();
  const lastUsed = async (id: string) => ((await get('/v1/api-keys', t.auth)).json().data as KeyJson[]).find((key) => key.id === id)!.last_used_at;

  it('refuses a key revoked through this process on its very next request, although it was just used', async () => {
    const key = await createKey('shop backend');
    const auth = `Bearer ${key.key}`;
    expect((await get('/v1/plans', auth)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: { authorization: t.auth } })).statusCode).toBe(200);
    expect((await get('/v1/plans', auth)).statusCode).toBe(401);
  });

  it('refuses a key revoked by another process (straight in the database) within the cache time', async () => {
    const key = await createKey('other instance');
    const auth = `Bearer ${key.key}`;
    expect((await get('/v1/plans', auth)).statusCode).toBe(200);
    await t.ctx.db.query('UPDATE api_keys SET revoked_at = $2 WHERE id = $1', [key.id, t.clock.now()]);
    await expect.poll(async () => (await get('/v1/plans', auth)).statusCode, { timeout: API_KEY_CACHE_MS + 2_000, interval: 250 }).toBe(401);
    expect((await get('/v1/plans', auth)).statusCode).toBe(401);
  });

  it('records when a key was used, at most once a minute, without the request waiting for it', async () => {
    const key = await createKey('reporting');
    const auth = `Bearer ${key.key}`;
    const first = t.clock.now().toISOString();
    expect((await get('/v1/plans', auth)).statusCode).toBe(200);
    await expect.poll(() => lastUsed(key.id)).toBe(first);

    t.clock.advance(30_000);
    expect((await get('/v1/plans', auth)).statusCode).toBe(200);
    t.clock.advance(31_000);
    expect((await get('/v1/plans', auth)).statusCode).toBe(200);
    await expect.poll(() => lastUsed(key.id)).toBe(t.clock.now().toISOString());
  });

  it('answers entitlement as before: the best subscription of several, banned customers refused, unknown ones 404', async () => {
    const customerId = await seedCustomer(t, 'ent-many');
    const now = t.clock.now();
    await seedSubscription(t, customerId, { status: 'canceled', providerStatus: 'canceled', canceledAt: now });
    const active = await seedSubscription(t, customerId, { status: 'active', currentPeriodEnd: new Date(now.getTime() + 10 * 86_400_000) });
    await seedSubscription(t, customerId, { status: 'trialing', providerStatus: 'trialing', trialEnd: new Date(now.getTime() + 20 * 86_400_000) });
    const answer = await get('/v1/customers/ent-many/entitlement', t.auth);
    expect(answer.json()).toEqual({ customer: 'ent-many', entitled: true, reason: 'active', until: new Date(now.getTime() + 10 * 86_400_000).toISOString(), subscription_id: active, checked_at: now.toISOString() });

    await seedCustomer(t, 'ent-none');
    expect((await get('/v1/customers/ent-none/entitlement', t.auth)).json()).toMatchObject({ entitled: false, reason: 'no_subscription', until: null, subscription_id: null });
    await t.ctx.db.query("UPDATE customers SET banned = true, banned_reason = 'fraud', banned_at = $2 WHERE id = $1", [customerId, now]);
    expect((await get('/v1/customers/ent-many/entitlement', t.auth)).json()).toMatchObject({ entitled: false, reason: 'banned' });
    expect((await get('/v1/customers/ent-nobody/entitlement', t.auth)).statusCode).toBe(404);
  });
});
