import { afterEach, describe, expect, it } from 'vitest';
import { waitUntilSettled } from '../stripe/running-recur.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { completeCheckout, DAY_S, PLANS_BY_LOOKUP_KEY, readSubscription, sandboxTruth, startChangeKit, type ChangeKit, type SubscriptionJson } from './change-kit.ts';

const DAY_MS = DAY_S * 1000;

describe.each(testDatabaseKinds)('auto-renew and the billing portal through recur (%s)', (kind) => {
  let kit: ChangeKit | undefined;
  // Closing waits for a running job engine to stop; under a full suite's load that once took over 60 s.
  afterEach(async () => {
    await kit?.recur.close();
    kit = undefined;
  }, 120_000);

  it('gives a customer with a card on file a subscription whose trial runs until the paid date, and charges on that date', async () => {
    kit = await startChangeKit(kind);
    const { api, recur } = kit;
    const stripe = recur.kit.stripe;
    // A former subscriber: card on file at Stripe, subscription cancelled, then paid by bank transfer.
    const old = await kit.subscribe('shop-7001', 'monthly');
    expect((await api('POST', `/v1/subscriptions/${old.id}/cancel`, { at: 'now' })).status).toBe(200);
    const previous = await stripe.subscriptions.retrieve(old.provider_subscription_id);
    await stripe.customers.update(String(previous.customer), { invoice_settings: { default_payment_method: String(previous.default_payment_method) } });
    await recur.startWorker();
    await waitUntilSettled(recur);

    const paidUntil = new Date(recur.t.ctx.clock.now().getTime() + 20 * DAY_MS);
    const enabled = await api('POST', '/v1/customers/shop-7001/auto-renew', { plan: 'monthly', paid_until: paidUntil.toISOString() });
    expect(enabled.status).toBe(201);
    const answer = (await enabled.json()) as { status: string; subscription: SubscriptionJson };
    expect(answer).toMatchObject({ status: 'subscribed', subscription: { status: 'trialing', plan: 'monthly', trial_end: paidUntil.toISOString(), current_period_end: paidUntil.toISOString() } });
    const created = await stripe.subscriptions.retrieve(answer.subscription.provider_subscription_id);
    expect([created.status, created.trial_end]).toEqual(['trialing', paidUntil.getTime() / 1000]);
    // Already live now: a second request is refused (after the webhooks, so only the refusal could write).
    await waitUntilSettled(recur);
    expect(await kit.expectNothingWritten(() => api('POST', '/v1/customers/shop-7001/auto-renew', { plan: 'yearly', paid_until: paidUntil.toISOString() }), 409, 'conflict')).toMatch(/already has a trialing subscription/);

    await kit.advance({ days: 21 });
    await waitUntilSettled(recur);
    const invoices = (await stripe.invoices.list({ subscription: created.id })).data.filter((invoice) => invoice.amount_due > 0);
    expect(invoices.map((invoice) => [invoice.amount_paid, invoice.status, invoice.period_end])).toEqual([[2999, 'paid', paidUntil.getTime() / 1000]]);
    const after = await readSubscription(kit, answer.subscription.id);
    expect(after).toMatchObject({ ...(await sandboxTruth(kit, created.id, PLANS_BY_LOOKUP_KEY)), status: 'active', current_period_start: paidUntil.toISOString() });
    const payments = await recur.t.ctx.db.query<{ amount: number; status: string }>('SELECT p.amount_minor::int AS amount, p.status FROM payments p WHERE p.subscription_id = $1', [after.id]);
    expect(payments.rows).toEqual([{ amount: 2999, status: 'succeeded' }]);
  });

  it('sends a customer without a card to a checkout with the same trial end', async () => {
    kit = await startChangeKit(kind);
    const { api, recur } = kit;
    expect((await api('POST', '/v1/customers', { external_id: 'shop-7002', email: 'bank@example.nl', locale: 'en' })).status).toBe(201);
    const paidUntil = new Date(recur.t.ctx.clock.now().getTime() + 60 * DAY_MS);
    const body = { plan: 'yearly', paid_until: paidUntil.toISOString(), return_url: 'https://shop.example/account' };
    const started = await api('POST', '/v1/customers/shop-7002/auto-renew', body);
    expect(started.status).toBe(201);
    const checkout = (await started.json()) as { status: string; url: string; session_id: string };
    expect(checkout).toMatchObject({ status: 'checkout_required', url: expect.stringContaining(recur.kit.sandbox.url), session_id: expect.stringMatching(/^cs_/) });
    const subscription = await completeCheckout(recur, api, checkout.url, 'shop-7002');
    expect(subscription).toMatchObject({ status: 'trialing', plan: 'yearly', trial_end: paidUntil.toISOString() });
    expect((await recur.kit.stripe.subscriptions.retrieve(subscription.provider_subscription_id)).trial_end).toBe(paidUntil.getTime() / 1000);
  });

  it('opens the billing portal for a customer of Stripe', async () => {
    kit = await startChangeKit(kind);
    const { api, recur } = kit;
    await kit.subscribe('shop-7003', 'monthly');
    const opened = await api('POST', '/v1/customers/shop-7003/billing-portal', { return_url: 'https://shop.example/account' });
    expect(opened.status).toBe(201);
    const { url } = (await opened.json()) as { url: string };
    expect(url.startsWith(`${recur.kit.sandbox.url}/stripe/billing_portal/bps_`)).toBe(true);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('https://shop.example/account');
    // The URL is a credential: not in recur's logs or audit.
    expect(recur.t.logLines.join('\n')).not.toContain(url);
    const audit = await recur.t.ctx.db.query<{ after: unknown }>("SELECT after FROM audit_log WHERE action = 'billing_portal_opened'");
    expect(JSON.stringify(audit.rows)).not.toContain('billing_portal/');
  });

  it('refuses what it cannot do, and writes nothing', async () => {
    kit = await startChangeKit(kind);
    const { api, recur } = kit;
    expect((await api('POST', '/v1/customers', { external_id: 'shop-7004', email: 'new@example.nl' })).status).toBe(201);
    const now = recur.t.ctx.clock.now().getTime();
    const at = (days: number) => new Date(now + days * DAY_MS).toISOString();
    const renew = (body: unknown, customer = 'shop-7004') => () => api('POST', `/v1/customers/${customer}/auto-renew`, body);
    expect(await kit.expectNothingWritten(renew({ plan: 'monthly', paid_until: at(-1), return_url: 'https://shop.example/' }), 400, 'validation_failed')).toMatch(/not in the future/);
    expect(await kit.expectNothingWritten(renew({ plan: 'monthly', paid_until: at(731), return_url: 'https://shop.example/' }), 400, 'validation_failed')).toMatch(/730 days/);
    await kit.expectNothingWritten(renew({ plan: 'weekly', paid_until: at(10) }), 400, 'validation_failed');
    await kit.expectNothingWritten(renew({ plan: 'monthly', paid_until: 'soon' }), 400, 'validation_failed');
    await kit.expectNothingWritten(renew({ plan: 'monthly', paid_until: at(10) }, 'shop-missing'), 404, 'not_found');
    await kit.expectNothingWritten(renew({ plan: 'monthly', paid_until: at(10) }, 'bad id!'), 400, 'validation_failed');
    await kit.expectNothingWritten(() => api('POST', '/v1/customers/shop-7004/auto-renew', { plan: 'monthly', paid_until: at(10) }, null), 401, 'unauthorized');

    await kit.expectNothingWritten(() => api('POST', '/v1/customers/shop-7004/billing-portal', { return_url: 'javascript:alert(1)' }), 400, 'validation_failed');
    await kit.expectNothingWritten(() => api('POST', '/v1/customers/shop-7004/billing-portal', {}), 400, 'validation_failed');
    await kit.expectNothingWritten(() => api('POST', '/v1/customers/shop-missing/billing-portal', { return_url: 'https://shop.example/' }), 404, 'not_found');
    expect(await kit.expectNothingWritten(() => api('POST', '/v1/customers/shop-7004/billing-portal', { return_url: 'https://shop.example/' }), 409, 'conflict')).toMatch(/no Stripe customer/);
    await kit.expectNothingWritten(() => api('POST', '/v1/customers/shop-7004/billing-portal', { return_url: 'https://shop.example/' }, null), 401, 'unauthorized');
  });
});
