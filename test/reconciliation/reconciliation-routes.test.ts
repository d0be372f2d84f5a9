import { afterEach, describe, expect, it } from 'vitest';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import type { StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { startStripeTestApp } from '../stripe/stripe-test-kit.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

type RunJson = { id: string; status: string; trigger: string; counts: Record<string, number>; requests: number; error: string | null; started_at: string; finished_at: string | null };

describe.each(testDatabaseKinds)('GET /v1/reconciliation/runs on %s', (kind) => {
  let kit: StripeKit | null = null;
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    await kit?.stop();
    t = null;
    kit = null;
  });

  const get = (url: string, auth = t!.auth) => t!.app.inject({ method: 'GET', url, headers: auth ? { authorization: auth } : {} });

  it('lists runs newest first with paging, and shows one run with its items', async () => {
    ({ kit, t } = await startStripeTestApp(kind));
    const customer = await kit.stripe.customers.create({ email: 'dash@example.nl' });
    const price = (await kit.stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
    const subscription = await kit.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 30 });
    const first = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' });
    t.clock.advance(3_600_000);
    const second = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'schedule' });

    const page1 = await get('/v1/reconciliation/runs?limit=1');
    expect(page1.statusCode).toBe(200);
    const body1 = page1.json() as { data: RunJson[]; has_more: boolean };
    expect(body1.has_more).toBe(true);
    expect(body1.data.map((run) => [run.id, run.trigger, run.status])).toEqual([[second.id, 'schedule', 'succeeded']]);
    const body2 = (await get(`/v1/reconciliation/runs?limit=1&starting_after=${second.id}`)).json() as { data: RunJson[]; has_more: boolean };
    expect([body2.data.map((run) => run.id), body2.has_more]).toEqual([[first.id], false]);
    expect(body2.data[0]).toMatchObject({ counts: { missing_locally: 1 }, error: null, started_at: '2026-03-01T10:00:00.000Z', finished_at: '2026-03-01T10:00:00.000Z' });
    expect(body2.data[0]!.requests).toBeGreaterThanOrEqual(3);

    const one = await get(`/v1/reconciliation/runs/${first.id}`);
    expect(one.statusCode).toBe(200);
    const recorded = (await t.ctx.db.query<{ id: string }>('SELECT id FROM subscriptions')).rows[0]!.id;
    expect((one.json() as { items: unknown[] }).items).toContainEqual({
      id: expect.any(Number),
      kind: 'missing_locally',
      provider_object_id: subscription.id,
      recur_id: recorded,
      found: { status: 'trialing', customer: customer.id },
      action: 'recorded from Stripe',
      created_at: '2026-03-01T10:00:00.000Z',
    });
  }, 60_000);

  it('records a failed run with its reason when Stripe cannot be reached', async () => {
    ({ kit, t } = await startStripeTestApp(kind));
    const stopped = kit;
    kit = null;
    await stopped.stop();
    await expect(reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' })).rejects.toMatchObject({ code: 'provider_failure' });
    const runs = (await get('/v1/reconciliation/runs')).json() as { data: RunJson[] };
    expect(runs.data).toEqual([expect.objectContaining({ status: 'failed', counts: {}, error: expect.stringMatching(/^Stripe failed while listing events/) })]);
    // A failed run does not block the next one.
    await expect(reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' })).rejects.toMatchObject({ code: 'provider_failure' });
  }, 60_000);

  it('answers 404, 400 and 401 in the error shape, and is in the OpenAPI document', async () => {
    ({ kit, t } = await startStripeTestApp(kind));
    const unknown = await get('/v1/reconciliation/runs/5d0c4a3e-2f43-4c55-9a31-1b2f1d0e9a77');
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'not_found']);
    expect(unknown.json().error).toEqual({ code: 'not_found', message: expect.any(String), requestId: expect.any(String) });
    expect((await get('/v1/reconciliation/runs/not-a-uuid')).statusCode).toBe(400);
    expect((await get('/v1/reconciliation/runs?limit=0')).statusCode).toBe(400);
    expect((await get('/v1/reconciliation/runs?unknown=1')).statusCode).toBe(400);
    const anonymous = await get('/v1/reconciliation/runs', '');
    expect([anonymous.statusCode, anonymous.json().error.code]).toEqual([401, 'unauthorized']);
    expect((await get('/v1/reconciliation/runs', 'Bearer rk_wrong')).statusCode).toBe(401);
    const openapi = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/reconciliation/runs', '/v1/reconciliation/runs/{id}']));
  }, 60_000);
});
