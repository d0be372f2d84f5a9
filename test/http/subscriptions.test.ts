import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

describe.each(testDatabaseKinds)('subscriptions API on %s', (kind) => {
  let t: TestApp;
  const ids: string[] = [];
  let otherId: string;
  beforeAll(async () => {
    t = await startTestApp(kind);
    const anna = await seedCustomer(t, 'anna');
    const bram = await seedCustomer(t, 'bram');
    for (let i = 0; i < 5; i++) {
      ids.push(await seedSubscription(t, anna, { status: i === 4 ? 'canceled' : 'active', providerStatus: i === 4 ? 'canceled' : 'active' }));
      t.clock.advance(1000);
    }
    otherId = await seedSubscription(t, bram, { provider: 'paypal', providerStatus: 'ACTIVE', planId: 'yearly' });
  });
  afterAll(() => t.close());

  const get = (url: string, authorization: string | null = t.auth) => t.app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });

  it('reads one subscription by id', async () => {
    const response = await get(`/v1/subscriptions/${otherId}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: otherId, customer: 'bram', provider: 'paypal', plan: 'yearly', status: 'active', provider_status: 'ACTIVE', cancel_at_period_end: false });
  });

  it('lists newest first and pages with starting_after without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const response = await get(`/v1/subscriptions?customer=anna&limit=2${cursor ? `&starting_after=${cursor}` : ''}`);
      expect(response.statusCode).toBe(200);
      const page = response.json() as { data: { id: string }[]; has_more: boolean };
      seen.push(...page.data.map((item) => item.id));
      if (!page.has_more) break;
      cursor = page.data.at(-1)!.id;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by status', async () => {
    const response = await get('/v1/subscriptions?status=canceled');
    expect(response.json().data.map((item: { id: string }) => item.id)).toEqual([ids[4]]);
  });

  it.each([
    ['/v1/subscriptions/not-a-uuid', 400, 'validation_failed'],
    ['/v1/subscriptions/00000000-0000-4000-8000-000000000000', 404, 'not_found'],
    ['/v1/subscriptions?limit=0', 400, 'validation_failed'],
    ['/v1/subscriptions?limit=101', 400, 'validation_failed'],
    ['/v1/subscriptions?status=unpaid', 400, 'validation_failed'],
    ['/v1/subscriptions?sort=asc', 400, 'validation_failed'],
    ['/v1/subscriptions?customer=nobody', 404, 'not_found'],
  ])('%s answers %i %s', async (url, status, code) => {
    const response = await get(url);
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
  });

  it('needs an API key', async () => {
    expect((await get('/v1/subscriptions', null)).statusCode).toBe(401);
    expect((await get(`/v1/subscriptions/${otherId}`, 'Bearer rk_wrong')).statusCode).toBe(401);
  });
});
