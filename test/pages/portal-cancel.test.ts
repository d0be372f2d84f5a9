import { afterEach, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { tableCounts } from '../stripe/stripe-test-kit.ts';
import { completeCheckout, type ChangeKit } from '../subscription-changes/change-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { enterPortal, requestPortalLink } from './portal-visit.ts';
import { poll } from '../support/poll.ts';

/**
 * Cancel in two clicks and resume, through the portal, against the Stripe sandbox: the control on
 * the overview, the confirmation page with the end date and one button, the page that says it is
 * done and that the confirmation e-mail is on its way; each change made through the same services
 * as the API, at Stripe, audited as the customer's.
 */
describe.each(testDatabaseKinds)('the customer portal: cancel in two clicks, resume (%s)', (kind) => {
  let recur: RunningRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  });

  it('cancels at period end from the overview in two clicks, confirms it, and resumes', async () => {
    recur = await startRunningRecur(kind, null, { messaging: true });
    const { t } = recur;
    const api: ChangeKit['api'] = (method, path, body) =>
      fetch(`${recur!.baseUrl}${path}`, { method, headers: { authorization: t.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, redirect: 'manual' });
    expect((await api('POST', '/v1/customers', { external_id: 'shop-9101', email: 'anna@example.nl', locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const started = await api('POST', '/v1/checkout', { customer: 'shop-9101', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' });
    const subscription = await completeCheckout(recur, api, ((await started.json()) as { url: string }).url, 'shop-9101');
    expect(subscription).toMatchObject({ status: 'trialing', current_period_end: '2026-01-31T00:00:00.000Z' });

    const visit = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9101')).url);
    const overview = await visit.get('/portal');
    expect(overview.body).toContain('Proefperiode tot 31 januari 2026');
    const control = `<a class="button secondary" href="/portal/cancel?subscription=${subscription.id}">Abonnement opzeggen</a>`;
    expect(overview.body).toContain(control);

    // First click: the confirmation page, with the end date and one button. Opening it changes nothing.
    const before = await tableCounts(t.ctx.db);
    const confirm = await visit.get(`/portal/cancel?subscription=${subscription.id}`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Als je nu opzegt, stopt je abonnement Maandelijks op 31 januari 2026.');
    expect(confirm.body.match(/<button/g)).toHaveLength(1);
    expect(confirm.body).toContain('<button type="submit">Nu opzeggen</button>');
    expect(await tableCounts(t.ctx.db)).toEqual(before);

    // Second click: cancelled at period end at Stripe, then the page that says so; the notices'
    // delivery is asked for at once (the page says the e-mail is on its way), not at its next minute.
    const queued: string[] = [];
    const engine = t.ctx.jobs;
    t.ctx.jobs = { enqueue: async (name, payload, options) => (queued.push(name), engine ? engine.enqueue(name, payload, options) : null) };
    const canceled = await visit.post('/portal/cancel', { subscription: subscription.id, csrf: visit.csrfOf(confirm.body) });
    expect(canceled.statusCode).toBe(303);
    await poll('the notices delivery asked for', async () => (queued.includes('deliver-notifications') ? true : null), 5_000);
    t.ctx.jobs = engine;
    expect(canceled.headers.location).toBe(`/portal/canceled?subscription=${subscription.id}`);
    expect((await recur.kit.stripe.subscriptions.retrieve(subscription.provider_subscription_id)).cancel_at_period_end).toBe(true);
    const done = await visit.get(canceled.headers.location as string);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Je abonnement Maandelijks is opgezegd en loopt af op 31 januari 2026.');
    expect(done.body).toContain('We hebben een bevestiging van je opzegging gestuurd naar anna@example.nl.');
    const notices = (await (await api('GET', '/v1/notifications?customer=shop-9101&limit=100')).json()) as { data: { template: string; channel: string }[] };
    expect(notices.data.filter((notice) => notice.template === 'cancellation-confirmation').map((notice) => notice.channel)).toEqual(['email']);

    const cancelling = await visit.get('/portal');
    expect(cancelling.body).toContain('Opgezegd, loopt af op 31 januari 2026');
    expect(cancelling.body).not.toContain(control);
    // A second cancel of the same subscription: the page says it had already changed.
    const again = await visit.post('/portal/cancel', { subscription: subscription.id, csrf: visit.csrfOf(cancelling.body) });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Je abonnement was intussen al veranderd');

    const resumed = await visit.post('/portal/resume', { subscription: subscription.id, csrf: visit.csrfOf(cancelling.body) });
    expect(resumed.statusCode).toBe(303);
    expect(resumed.headers.location).toBe(`/portal?resumed=${subscription.id}`);
    expect((await recur.kit.stripe.subscriptions.retrieve(subscription.provider_subscription_id)).cancel_at_period_end).toBe(false);
    const after = await visit.get(resumed.headers.location as string);
    expect(after.body).toContain('Je abonnement Maandelijks loopt weer door.');
    expect(after.body).toContain(control);

    const actions = (await listAuditEntries(t.ctx.db, 'subscription', subscription.id)).filter((entry) => entry.actor === 'portal:shop-9101').map((entry) => entry.action).filter((action) => action !== 'sync');
    expect(actions).toEqual(['cancel_scheduled', 'resumed']);
  });
});
