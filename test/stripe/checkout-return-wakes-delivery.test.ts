import { afterEach, describe, expect, it } from 'vitest';
import { startRunningRecur, type RunningRecur } from './running-recur.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

/**
 * The checkout return records the subscription and queues the customer's first notice; the
 * notices' delivery is asked for then, not at its next scheduled minute.
 */
describe.each(testDatabaseKinds)('the checkout return (%s)', (kind) => {
  let recur: RunningRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  });

  it("asks for the notices' delivery as soon as it has recorded the sign-up", async () => {
    recur = await startRunningRecur(kind, null, { messaging: true });
    const { t } = recur;
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${recur!.baseUrl}${path}`, { method, headers: { authorization: t.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    expect((await api('POST', '/v1/customers', { external_id: 'shop-9401', email: 'daan@example.nl', locale: 'nl' })).status).toBe(201);
    const started = (await (await api('POST', '/v1/checkout', { customer: 'shop-9401', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' })).json()) as { url: string };
    const paid = await fetch(started.url, form({ card: 'pm_card_visa', action: 'pay' }));
    expect(paid.status).toBe(303);

    const queued: string[] = [];
    t.ctx.jobs = { enqueue: async (name) => (queued.push(name), null) };
    const back = await fetch(paid.headers.get('location')!, { redirect: 'manual' });
    expect(back.status).toBe(303);
    await poll('the notices delivery asked for', async () => (queued.includes('deliver-notifications') ? true : null), 5_000);
    const outbox = await t.ctx.db.query<{ template: string }>("SELECT template FROM notification_outbox WHERE status = 'pending'");
    expect(outbox.rows.length).toBeGreaterThan(0);
  }, 120_000);
});
