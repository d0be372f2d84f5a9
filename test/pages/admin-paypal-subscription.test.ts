import { SubscriptionsController } from '@paypal/paypal-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { countRows } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startPaypalTestApp, subscribeThroughRecur, type PaypalTestApp } from '../paypal/paypal-test-kit.ts';
import { createTestAdmin, hiddenField, signIn, type AdminBrowser } from './admin-support.ts';

/**
 * The dashboard's switch and cancel for a PayPal subscription, against the PayPal sandbox: the
 * switch page says PayPal does not prorate (nothing now, the new price from the next cycle) and
 * asks for no proration; a cancel at period end is carried out at PayPal at once, so the page
 * no longer offers a resume PayPal could not do.
 */
describe.each(testDatabaseKinds)('the admin subscription actions for PayPal on %s', (kind) => {
  let kit: PaypalTestApp;
  let browser: AdminBrowser;
  let subscriptions: SubscriptionsController;
  beforeAll(async () => {
    kit = await startPaypalTestApp(kind);
    subscriptions = new SubscriptionsController(kit.paypal);
    await createTestAdmin(kit.t);
    browser = await signIn(kit.t);
  }, 60_000);
  afterAll(() => kit.stop());

  const planDescriptionOf = async (paypalId: string) => (await subscriptions.getBillingPlan((await subscriptions.getSubscription({ id: paypalId })).result.planId!)).result.description;

  it('switches monthly to yearly from the next cycle, then cancels at period end at PayPal; audited as admin:anna', async () => {
    // A returning customer gets no trial: the monthly plan runs and is paid.
    const customerId = await seedCustomer(kit.t, 'pp-5001');
    await seedSubscription(kit.t, customerId, { provider: 'paypal', providerSubscriptionId: 'I-ENDEDPP5001', status: 'canceled', providerStatus: 'CANCELLED', canceledAt: kit.t.clock.now() });
    const { paypalId, subscriptionId } = await subscribeThroughRecur(kit, 'pp-5001', 'monthly');
    const page = `/admin/subscriptions/${subscriptionId}`;

    const preview = await browser.get(`${page}/switch?plan=yearly`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('PayPal does not prorate: the new price applies from the next billing cycle, and nothing is charged now.');
    expect(preview.body).toContain('<dd data-fact="amount-due">EUR 0.00</dd>');
    expect(preview.body).toMatch(/<dd data-fact="next-renewal">EUR 299\.90 on 2026-04-01 10:00 UTC<\/dd>/);
    expect(preview.body).not.toContain('name="proration_date"');
    const switched = await browser.post(`${page}/switch`, { _csrf: hiddenField(preview.body, '_csrf'), plan: 'yearly' });
    expect([switched.statusCode, switched.headers.location]).toEqual([303, `${page}?done=plan_switched`]);
    expect(await planDescriptionOf(paypalId)).toBe('recur_monthly:no-trial');

    const csrf = await browser.csrf();
    const canceled = await browser.post(`${page}/cancel`, { _csrf: csrf, at: 'period_end' });
    expect([canceled.statusCode, canceled.headers.location]).toEqual([303, `${page}?done=cancel_scheduled`]);
    expect((await subscriptions.getSubscription({ id: paypalId })).result.status).toBe('CANCELLED');
    const ending = await browser.get(`${page}?done=cancel_scheduled`);
    expect(ending.body).toContain('(ends at period end)');
    expect(ending.body).not.toContain(`${page}/resume`);
    expect(ending.body).toContain(`${page}/cancel?at=now`);
    // Asked anyway, resume is refused with PayPal's reason, and nothing is written.
    const before = await countRows(kit.t);
    const resume = await browser.post(`${page}/resume`, { _csrf: csrf });
    expect(resume.statusCode).toBe(409);
    expect(resume.body).toContain('cannot be resumed; subscribe again instead');
    expect(await countRows(kit.t)).toEqual(before);

    const audited = (await listAuditEntries(kit.t.ctx.db, 'subscription', subscriptionId)).filter((entry) => entry.actor === 'admin:anna' && entry.action !== 'sync').map((entry) => entry.action);
    expect(audited).toEqual(['plan_switched', 'cancel_scheduled']);
  });
});
