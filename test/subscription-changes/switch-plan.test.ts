import { afterEach, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { waitUntilSettled } from '../stripe/running-recur.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { DAY_S, insertPaypalSubscription, PLANS_BY_LOOKUP_KEY, readSubscription, sandboxTruth, startChangeKit, type ChangeKit } from './change-kit.ts';

type Preview = {
  amount_due: { amount_minor: number; currency: string };
  proration_date: string;
  lines: { amount_minor: number; proration: boolean; period_start: string; period_end: string }[];
  next_renewal: { at: string; amount_minor: number; currency: string };
};

describe.each(testDatabaseKinds)('switching monthly <-> yearly through recur (%s)', (kind) => {
  let kit: ChangeKit | undefined;
  afterEach(async () => {
    await kit?.recur.close();
    kit = undefined;
  });

  it('previews, then switches mid-period for exactly the previewed amount; recorded at once, confirmed by the webhooks', async () => {
    kit = await startChangeKit(kind);
    const { api, recur } = kit;
    const stripe = recur.kit.stripe;
    const recorded = await kit.subscribe('shop-5001', 'monthly');
    // The trial (30 days) ends and the first month is charged; ten days into that month the customer
    // switches. The worker is not running yet: every event so far waits in recur's inbox.
    await kit.advance({ days: 40 });
    const before = await stripe.subscriptions.retrieve(recorded.provider_subscription_id);
    expect(before.status).toBe('active');

    const previewed = await api('POST', `/v1/subscriptions/${recorded.id}/switch/preview`, { plan: 'yearly' });
    expect(previewed.status).toBe(200);
    const preview = (await previewed.json()) as Preview;
    const item = before.items.data[0]!;
    const now = Math.floor(recur.kit.sandbox.ctx.clock.now().getTime() / 1000);
    const unused = Math.round((2999 * (item.current_period_end - now)) / (item.current_period_end - item.current_period_start));
    expect(preview.amount_due).toEqual({ amount_minor: 29990 - unused, currency: 'EUR' });
    expect(preview.lines.map((line) => [line.amount_minor, line.proration])).toEqual([
      [29990, false],
      [-unused, true],
    ]);
    expect(preview.next_renewal).toEqual({ at: new Date((now + 365 * DAY_S) * 1000).toISOString(), amount_minor: 29990, currency: 'EUR' });
    expect(Date.parse(preview.proration_date)).toBe(now * 1000);

    // The customer reads it for a minute, then confirms with the preview's proration_date.
    await kit.advance({ seconds: 60 });
    const switched = await api('POST', `/v1/subscriptions/${recorded.id}/switch`, { plan: 'yearly', proration_date: preview.proration_date });
    expect(switched.status).toBe(200);
    const answer = (await switched.json()) as { subscription: Record<string, unknown>; invoice: { id: string; amount_due: unknown; amount_paid: unknown; status: string } };
    expect(answer.invoice).toMatchObject({ amount_due: preview.amount_due, amount_paid: preview.amount_due, status: 'paid' });
    const invoice = await stripe.invoices.retrieve(answer.invoice.id);
    expect([invoice.amount_paid, invoice.billing_reason]).toEqual([preview.amount_due.amount_minor, 'subscription_update']);

    // Recorded at once: recur says yearly before any webhook is processed.
    expect(answer.subscription).toMatchObject({ id: recorded.id, plan: 'yearly', status: 'active' });
    expect(await readSubscription(kit, recorded.id)).toMatchObject({ plan: 'yearly', status: 'active' });
    const audit = await listAuditEntries(recur.t.ctx.db, 'subscription', recorded.id);
    expect(audit.find((entry) => entry.action === 'plan_switched')).toMatchObject({ actor: expect.stringMatching(/^api_key:/), after: { fromPlan: 'monthly', toPlan: 'yearly' } });

    // A retried request does not switch twice: recur already holds yearly.
    expect((await api('POST', `/v1/subscriptions/${recorded.id}/switch`, { plan: 'yearly', proration_date: preview.proration_date })).status).toBe(409);
    expect((await stripe.invoices.list({ subscription: recorded.provider_subscription_id })).data.filter((i) => i.billing_reason === 'subscription_update')).toHaveLength(1);

    // Now the worker processes everything: the older events (trial end, first charge) do not undo
    // the switch, and the switch's own events still apply after recur's immediate write.
    await recur.startWorker();
    await waitUntilSettled(recur);
    const after = await readSubscription(kit, recorded.id);
    expect(after).toMatchObject(await sandboxTruth(kit, recorded.provider_subscription_id, PLANS_BY_LOOKUP_KEY));
    expect(after.plan).toBe('yearly');
    const events = await stripe.events.list({ type: 'customer.subscription.updated', limit: 1 });
    const version = await recur.t.ctx.db.query<{ v: Date }>('SELECT provider_updated_at AS v FROM subscriptions WHERE id = $1', [recorded.id]);
    expect(version.rows[0]!.v.getTime()).toBe(events.data[0]!.created * 1000);
    const payments = await recur.t.ctx.db.query<{ amount: number }>('SELECT amount_minor::int AS amount FROM payments ORDER BY amount_minor');
    expect(payments.rows.map((row) => row.amount)).toEqual([2999, preview.amount_due.amount_minor]);

    // Switching back later is a new operation (a new state, a new key), not a replay of the first.
    const back = await api('POST', `/v1/subscriptions/${recorded.id}/switch`, { plan: 'monthly' });
    expect(back.status).toBe(200);
    expect(((await back.json()) as { subscription: { plan: string } }).subscription.plan).toBe('monthly');
    expect((await stripe.subscriptions.retrieve(recorded.provider_subscription_id)).items.data[0]!.price.lookup_key).toBe('recur_monthly');
    await waitUntilSettled(recur);
    expect(await readSubscription(kit, recorded.id)).toMatchObject({ ...(await sandboxTruth(kit, recorded.provider_subscription_id, PLANS_BY_LOOKUP_KEY)), plan: 'monthly' });
  });

  it('refuses what it cannot do, and writes nothing', async () => {
    kit = await startChangeKit(kind);
    const { api } = kit;
    const recorded = await kit.subscribe('shop-5002', 'monthly');
    await kit.advance({ days: 40 });
    const paypal = await insertPaypalSubscription(kit, 'shop-5003');
    const unknown = '00000000-0000-4000-8000-000000000000';

    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${unknown}/switch`, { plan: 'yearly' }), 404, 'not_found');
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${unknown}/switch/preview`, { plan: 'yearly' }), 404, 'not_found');
    expect(await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/switch`, { plan: 'monthly' }), 409, 'conflict')).toMatch(/already on plan "monthly"/);
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/switch`, { plan: 'weekly' }), 400, 'validation_failed');
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/switch`, { plan: 'yearly', coupon: 'X' }), 400, 'validation_failed');
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/switch`, { plan: 'yearly', proration_date: 'yesterday' }), 400, 'validation_failed');
    const stale = new Date(kit.recur.t.ctx.clock.now().getTime() - 2 * 3_600_000).toISOString();
    expect(await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/switch`, { plan: 'yearly', proration_date: stale }), 409, 'conflict')).toMatch(/stale.*preview the switch again/);
    // A PayPal subscription where PayPal is not configured: 503 naming its settings, nothing written.
    expect(await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${paypal}/switch`, { plan: 'yearly' }), 503, 'not_ready')).toMatch(/PayPal is not configured/);
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/switch`, { plan: 'yearly' }, null), 401, 'unauthorized');
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/switch`, { plan: 'yearly' }, 'Bearer rk_wrong'), 401, 'unauthorized');
    // Nothing reached Stripe either.
    const truth = await kit.recur.kit.stripe.subscriptions.retrieve(recorded.provider_subscription_id);
    expect(truth.items.data[0]!.price.lookup_key).toBe('recur_monthly');

    // The contract is published.
    const openapi = (await (await api('GET', '/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/subscriptions/{id}/switch', '/v1/subscriptions/{id}/switch/preview', '/v1/subscriptions/{id}/cancel', '/v1/subscriptions/{id}/resume']));
  });
});
