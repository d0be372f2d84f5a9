import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecurClient, type RecurClient } from '../../packages/client/src/index.ts';
import { seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

/** The typed client over real HTTP: bodies, path and query parameters as the routes take them, answers and errors as they give them. */
describe.each(testDatabaseKinds)('createRecurClient against a listening recur (%s)', (kind) => {
  let t: TestApp;
  let recur: RecurClient;
  let baseUrl: string;
  beforeAll(async () => {
    t = await startTestApp(kind);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}/`;
    recur = createRecurClient({ baseUrl, apiKey: t.auth.replace(/^Bearer /, '') });
  });
  afterAll(() => t.close());

  it('creates and reads a customer, and answers recur errors as data', async () => {
    const created = await recur.POST('/v1/customers', { body: { external_id: 'shop-5001', email: 'daan@example.nl', locale: 'en' } });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ external_id: 'shop-5001', locale: 'en' });
    const read = await recur.GET('/v1/customers/{id}', { params: { path: { id: 'shop-5001' } } });
    expect(read.data?.email).toBe('daan@example.nl');
    const missing = await recur.GET('/v1/customers/{id}', { params: { path: { id: 'shop-nobody' } } });
    expect([missing.response.status, missing.error?.error.code]).toEqual([404, 'not_found']);
  });

  it('pages a list with next_cursor inside a created[gte] window', async () => {
    const customerId = (await recur.GET('/v1/customers/{id}', { params: { path: { id: 'shop-5001' } } })).data!.id;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(await seedSubscription(t, customerId));
      t.clock.advance(1000);
    }
    const from = new Date(t.clock.now().getTime() - 3000).toISOString();
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const { data, error } = await recur.GET('/v1/subscriptions', { params: { query: { customer: 'shop-5001', 'created[gte]': from, limit: 2, ...(cursor ? { starting_after: cursor } : {}) } } });
      if (error) throw new Error(error.error.message);
      seen.push(...data.data.map((subscription) => subscription.id));
      if (!data.next_cursor) break;
      cursor = data.next_cursor;
    }
    expect(seen).toEqual(ids.slice(1).reverse());
  });

  it('sends the API key on every request: a wrong one is refused', async () => {
    const stranger = createRecurClient({ baseUrl, apiKey: 'rk_not_a_key' });
    const { response, error } = await stranger.GET('/v1/plans');
    expect([response.status, error?.error.code]).toEqual([401, 'unauthorized']);
  });
});
