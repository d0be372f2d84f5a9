import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { accessToken, approveAs, linkOf, monthlyPlan, paypalCall, sandboxStart, startPaypalSandbox } from './paypal-kit.ts';

const DAY_MS = 86_400_000;

describe('PayPal sandbox: a subscription with a later start_time', () => {
  let sandbox: RunningSandbox;
  let token: string;
  let planId: string;
  const call = (method: string, path: string, body?: unknown) => paypalCall(sandbox.url, token, method, path, body);

  beforeAll(async () => {
    sandbox = await startPaypalSandbox();
    token = await accessToken(sandbox.url);
    const product = await call('POST', '/v1/catalogs/products', { name: 'recur Pro', type: 'SERVICE' });
    const plan = await call('POST', '/v1/billing/plans', monthlyPlan(product.body.id as string, { trialDays: 0, price: '29.99' }));
    expect(plan.status).toBe(201);
    planId = plan.body.id as string;
  });
  afterAll(() => sandbox.stop());

  it('is ACTIVE once approved, charges nothing before start_time, bills the first cycle at it (next_billing_time), then monthly', async () => {
    const start = new Date(sandboxStart.getTime() + 40 * DAY_MS);
    const created = await call('POST', '/v1/billing/subscriptions', { plan_id: planId, start_time: start.toISOString(), custom_id: 'customer-later', application_context: { return_url: 'https://shop.example/return', cancel_url: 'https://shop.example/cancel' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await approveAs(linkOf(created.body, 'approve'), 'pays@payers.recur.test')).status).toBe(302);
    const transactions = async () =>
      ((await call('GET', `/v1/billing/subscriptions/${id}/transactions?start_time=2026-01-01T00:00:00Z&end_time=2027-01-01T00:00:00Z`)).body['transactions'] as { amount_with_breakdown: { gross_amount: { value: string } }; time: string }[]).map((sale) => [sale.amount_with_breakdown.gross_amount.value, sale.time]);
    const read = async () => (await call('GET', `/v1/billing/subscriptions/${id}`)).body as { status: string; start_time: string; billing_info: { next_billing_time: string; cycle_executions: { tenure_type: string; cycles_completed: number }[]; last_payment?: unknown } };
    const approved = await read();
    expect([approved.status, approved.start_time, approved.billing_info.next_billing_time, approved.billing_info.cycle_executions, approved.billing_info.last_payment]).toEqual([
      'ACTIVE',
      '2026-04-10T10:00:00Z',
      '2026-04-10T10:00:00Z',
      [expect.objectContaining({ tenure_type: 'REGULAR', cycles_completed: 0 })],
      undefined,
    ]);
    await sandbox.advance(new Date(start.getTime() - 1000));
    expect(await transactions()).toEqual([]);
    await sandbox.advance(start);
    expect(await transactions()).toEqual([['29.99', '2026-04-10T10:00:00Z']]);
    expect((await read()).billing_info.next_billing_time).toBe('2026-05-10T10:00:00Z');
  });

  it('refuses a start_time in the past or not in PayPal\'s date-time form, naming the field', async () => {
    for (const startTime of [new Date(sandbox.ctx.clock.now().getTime() - 60_000).toISOString(), '2030-01-01']) {
      const refused = await call('POST', '/v1/billing/subscriptions', { plan_id: planId, start_time: startTime });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ name: 'INVALID_REQUEST', details: expect.arrayContaining([expect.objectContaining({ field: '/start_time', location: 'body' })]) });
    }
  });
});
