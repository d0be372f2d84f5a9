import { afterEach, describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { enterPortal, requestPortalLink } from './portal-visit.ts';

const PAID_AT_ONCE = { ...defaultCatalogue, plans: defaultCatalogue.plans.map((plan) => ({ ...plan, trialDays: 0 })) };
const CONTROL = 'Herroepen: overeenkomst hier ontbinden';
const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

type SubscriptionJson = { id: string; provider_subscription_id: string; signed_up_at: string; created_at: string };

/**
 * The withdrawal period runs from when the customer took the subscription at the provider, not
 * from when recur heard of it. Here the customer pays at Stripe's checkout on 1 January and closes
 * the browser before the return; recur's worker is down, so recur records the subscription only on
 * 11 January, from the webhooks waiting in its inbox. The period still ends with 15 January.
 */
describe.each(testDatabaseKinds)('the withdrawal period of a subscription recur recorded late (%s)', (kind) => {
  let recur: RunningRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  });

  it("counts from Stripe's creation of the subscription, not from recur's first record of it", async () => {
    recur = await startRunningRecur(kind, null, { messaging: true, settings: { catalogue: PAID_AT_ONCE } });
    const { t } = recur;
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${recur!.baseUrl}${path}`, { method, headers: { authorization: t.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const advance = async (days: number) => expect((await fetch(`${recur!.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ days }) })).ok).toBe(true);

    expect((await api('POST', '/v1/customers', { external_id: 'shop-9301', email: 'fleur@example.nl', locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const started = (await (await api('POST', '/v1/checkout', { customer: 'shop-9301', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' })).json()) as { url: string };
    // Paid at Stripe's page; the redirect back to recur is never followed.
    expect((await fetch(started.url, form({ card: 'pm_card_visa', action: 'pay' }))).status).toBe(303);
    const listed = async () => ((await (await api('GET', '/v1/subscriptions?customer=shop-9301')).json()) as { data: SubscriptionJson[] }).data;
    expect(await listed()).toEqual([]);

    await advance(10);
    await recur.startWorker();
    const [subscription] = await poll('the subscription recorded from the waiting webhooks', async () => ((await listed()).length > 0 ? await listed() : null));
    const atStripe = await recur.kit.stripe.subscriptions.retrieve(subscription!.provider_subscription_id);
    expect(subscription!.signed_up_at).toBe(new Date(atStripe.created * 1000).toISOString());
    expect(subscription!.signed_up_at.slice(0, 10)).toBe('2026-01-01');
    expect(subscription!.created_at.slice(0, 10)).toBe('2026-01-11');

    const visit = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9301')).url);
    const overview = await visit.get('/portal');
    expect(overview.body).toContain(CONTROL);
    expect(overview.body).toContain('Je kunt tot 15 januari 2026 zonder opgave van reden herroepen.');

    // 16 January: closed, though recur has known of it for only five days.
    await advance(5);
    const later = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9301')).url);
    expect((await later.get('/portal')).body).not.toContain(CONTROL);
    const closed = await later.get(`/portal/withdraw?subscription=${subscription!.id}`);
    expect(closed.statusCode).toBe(409);
    expect(closed.body).toContain('De termijn van 14 dagen om te herroepen is verlopen op 15 januari 2026.');
    expect((await recur.kit.stripe.subscriptions.retrieve(subscription!.provider_subscription_id)).status).toBe('active');
  }, 240_000);
});
