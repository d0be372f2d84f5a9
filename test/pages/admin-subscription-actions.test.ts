import { afterEach, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { tableCounts } from '../stripe/stripe-test-kit.ts';
import { waitUntilSettled } from '../stripe/running-recur.ts';
import { startChangeKit, type ChangeKit } from '../subscription-changes/change-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, hiddenField, signIn } from './admin-support.ts';

/** `EUR 1,234.50` as minor units. */
const minorUnits = (text: string): number => Math.round(Number(text.replace(/^[A-Z]{3} /, '').replaceAll(',', '')) * 100);

/**
 * Cancel at period end, resume, switch (the preview's amount is what is charged) and cancel now
 * from the dashboard, against the Stripe sandbox: each a confirmation page that changes nothing,
 * then a POST with the session's CSRF token through the API's services, audited as the admin.
 */
describe.each(testDatabaseKinds)('the admin subscription actions against the Stripe sandbox (%s)', (kind) => {
  let kit: ChangeKit | undefined;
  afterEach(async () => {
    await kit?.recur.close();
    kit = undefined;
  });

  it('cancels at period end, resumes, switches to yearly for the previewed amount and cancels now; audited as admin:anna', async () => {
    kit = await startChangeKit(kind);
    const { recur } = kit;
    const stripe = recur.kit.stripe;
    const recorded = await kit.subscribe('shop-7001', 'monthly');
    await recur.startWorker();
    // Past the trial: a paid month runs, so a switch is charged (prorated) at once.
    await kit.advance({ days: 35 });
    await waitUntilSettled(recur);
    await createTestAdmin(recur.t);
    const browser = await signIn(recur.t);
    const page = `/admin/subscriptions/${recorded.id}`;

    const detail = await browser.get(page);
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain(`<a class="button secondary" href="${page}/cancel?at=period_end">Cancel at period end…</a>`);
    expect(detail.body).toContain(`href="${page}/switch?plan=yearly">Switch to Yearly…</a>`);
    expect(detail.body).not.toContain(`${page}/resume`);

    // The confirmation page changes nothing; its form carries the token and what to do.
    const before = await tableCounts(recur.t.ctx.db);
    const confirm = await browser.get(`${page}/cancel?at=period_end`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('<h1>Cancel this subscription at the end of its period?</h1>');
    expect(confirm.body).toContain('<input type="hidden" name="at" value="period_end">');
    expect(await tableCounts(recur.t.ctx.db)).toEqual(before);

    // Without the token: refused before anything is done, at Stripe too.
    const forged = await browser.post(`${page}/cancel`, { at: 'period_end' });
    expect(forged.statusCode).toBe(403);
    expect(await tableCounts(recur.t.ctx.db)).toEqual(before);
    expect((await stripe.subscriptions.retrieve(recorded.provider_subscription_id)).cancel_at_period_end).toBe(false);

    const csrf = hiddenField(confirm.body, '_csrf');
    const canceled = await browser.post(`${page}/cancel`, { _csrf: csrf, at: 'period_end' });
    expect([canceled.statusCode, canceled.headers.location]).toEqual([303, `${page}?done=cancel_scheduled`]);
    expect((await stripe.subscriptions.retrieve(recorded.provider_subscription_id)).cancel_at_period_end).toBe(true);
    const ending = await browser.get(canceled.headers.location as string);
    expect(ending.body).toContain('Set to cancel at the end of its period.');
    expect(ending.body).toContain('(ends at period end)');
    expect(ending.body).toContain(`href="${page}/resume">Resume…</a>`);

    // The same cancel again: a page with recur's reason, nothing written.
    const settled = await tableCounts(recur.t.ctx.db);
    const again = await browser.post(`${page}/cancel`, { _csrf: csrf, at: 'period_end' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already set to cancel at the end of its period');
    expect(again.body).toContain('Nothing was changed.');
    expect(await tableCounts(recur.t.ctx.db)).toEqual(settled);

    expect((await browser.get(`${page}/resume`)).body).toContain('<h1>Resume this subscription?</h1>');
    const resumed = await browser.post(`${page}/resume`, { _csrf: csrf });
    expect([resumed.statusCode, resumed.headers.location]).toEqual([303, `${page}?done=resumed`]);
    expect((await stripe.subscriptions.retrieve(recorded.provider_subscription_id)).cancel_at_period_end).toBe(false);
    await waitUntilSettled(recur);

    // The switch's page is the API's preview; confirming it charges exactly the amount shown.
    const preview = await browser.get(`${page}/switch?plan=yearly`);
    expect(preview.statusCode).toBe(200);
    const shown = /<dd data-fact="amount-due">([^<]+)<\/dd>/.exec(preview.body)![1]!;
    expect(minorUnits(shown)).toBeGreaterThan(0);
    const api = (await (await kit.api('POST', `/v1/subscriptions/${recorded.id}/switch/preview`, { plan: 'yearly' })).json()) as { amount_due: { amount_minor: number } };
    expect(minorUnits(shown)).toBe(api.amount_due.amount_minor);
    const switched = await browser.post(`${page}/switch`, { _csrf: csrf, plan: 'yearly', proration_date: hiddenField(preview.body, 'proration_date') });
    expect([switched.statusCode, switched.headers.location]).toEqual([303, `${page}?done=plan_switched`]);
    const truth = await stripe.subscriptions.retrieve(recorded.provider_subscription_id, { expand: ['latest_invoice'] });
    expect(truth.items.data[0]!.price.lookup_key).toBe('recur_yearly');
    expect((truth.latest_invoice as { amount_paid: number }).amount_paid).toBe(minorUnits(shown));
    expect((await browser.get(`${page}?done=plan_switched`)).body).toContain('<dd data-fact="plan">Yearly</dd>');
    await waitUntilSettled(recur);

    expect((await browser.get(`${page}/cancel?at=now`)).body).toContain('It ends now');
    const ended = await browser.post(`${page}/cancel`, { _csrf: csrf, at: 'now' });
    expect([ended.statusCode, ended.headers.location]).toEqual([303, `${page}?done=canceled`]);
    expect((await stripe.subscriptions.retrieve(recorded.provider_subscription_id)).status).toBe('canceled');
    const over = await browser.get(`${page}?done=canceled`);
    expect(over.body).toContain('<dd data-fact="status">canceled</dd>');
    expect(over.body).toContain('None: it has ended.');

    const audited = (await listAuditEntries(recur.t.ctx.db, 'subscription', recorded.id)).filter((entry) => entry.actor === 'admin:anna' && entry.action !== 'sync').map((entry) => entry.action);
    expect(audited).toEqual(['cancel_scheduled', 'resumed', 'plan_switched', 'canceled']);
    // The subscription's page shows its own audit trail, newest first.
    expect(over.body).toMatch(/<td class="id">admin:anna<\/td>\s*<td>canceled<\/td>/);
    // Four changes at Stripe, each settled through its webhooks: more than the default 30 s on a busy machine.
  }, 120_000);
});
