import { afterEach, describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { tableCounts } from '../stripe/stripe-test-kit.ts';
import { completeCheckout, type ChangeKit } from '../subscription-changes/change-kit.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { enterPortal, requestPortalLink } from './portal-visit.ts';

/** The webshop's plans without the free trial: signing up charges at once, so a withdrawal has money to refund. */
const PAID_AT_ONCE = { ...defaultCatalogue, plans: defaultCatalogue.plans.map((plan) => ({ ...plan, trialDays: 0 })) };
const CONTROL = 'Herroepen: overeenkomst hier ontbinden';

/** Text as a reader sees it: the no-break spaces Intl puts in amounts and times as plain spaces. */
const plain = (text: string | null): string => (text ?? '').replace(/[\u00a0\u202f]/g, ' ');

type Mail = { subject: string; categories: string[]; text: string | null };

/**
 * Withdrawal within 14 days through the portal against the Stripe sandbox, with the e-mail
 * emulator: the control on the overview, the confirmation page with the refund the shop's policy
 * gives, one "confirm withdrawal" that ends the subscription at Stripe, refunds once (even when
 * posted twice) and e-mails the acknowledgement with date and time; after 14 days the control is
 * gone and the POST is refused with a page that says why.
 */
describe.each(testDatabaseKinds)('the customer portal: withdrawal within 14 days (%s)', (kind) => {
  let recur: RunningRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  });

  it('withdraws in two clicks within 14 days, refunds in full once, acknowledges by e-mail; after 14 days refuses', async () => {
    recur = await startRunningRecur(kind, null, { messaging: true, settings: { catalogue: PAID_AT_ONCE } });
    await recur.startWorker();
    const { t } = recur;
    const api: ChangeKit['api'] = (method, path, body) =>
      fetch(`${recur!.baseUrl}${path}`, { method, headers: { authorization: t.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, redirect: 'manual' });
    const subscribe = async (customer: string, email: string) => {
      expect((await api('POST', '/v1/customers', { external_id: customer, email, locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
      const started = await api('POST', '/v1/checkout', { customer, plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' });
      return completeCheckout(recur!, api, ((await started.json()) as { url: string }).url, customer);
    };
    const paymentsOf = async (customer: string) => (await (await api('GET', `/v1/payments?customer=${customer}`)).json()) as { data: { id: string; provider_payment_id: string; status: string; amount: { amount_minor: number } }[] };

    const subscription = await subscribe('shop-9201', 'sanne@example.nl');
    expect(subscription.status).toBe('active');
    const late = await subscribe('shop-9202', 'pieter@example.nl');
    const paid = await poll('the first payment recorded', async () => ((await paymentsOf('shop-9201')).data.find((payment) => payment.status === 'succeeded') ?? null));
    expect(paid.amount.amount_minor).toBe(2999);

    const visit = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9201')).url);
    const overview = await visit.get('/portal');
    expect(overview.body).toContain(`<a class="button secondary" href="/portal/withdraw?subscription=${subscription.id}">${CONTROL}</a>`);
    expect(overview.body).toContain('Je kunt tot 15 januari 2026 zonder opgave van reden herroepen.');

    // First click: the confirmation page, what ends and what comes back; opening it changes nothing.
    const before = await tableCounts(t.ctx.db);
    const confirm = await visit.get(`/portal/withdraw?subscription=${subscription.id}`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Als je herroept, stopt je abonnement Maandelijks direct');
    expect(plain(confirm.body)).toContain('Je krijgt € 29,99 terug');
    expect(confirm.body.match(/<button/g)).toHaveLength(1);
    expect(confirm.body).toContain('<button type="submit">Herroeping bevestigen</button>');
    expect(await tableCounts(t.ctx.db)).toEqual(before);

    // Without the session's CSRF token: refused, nothing done.
    const forged = await visit.post('/portal/withdraw', { subscription: subscription.id, csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    expect((await recur.kit.stripe.subscriptions.retrieve(subscription.provider_subscription_id)).status).toBe('active');

    // Second click, twice (a double click): ended at Stripe now, one refund of all that was paid.
    const csrf = visit.csrfOf(confirm.body);
    const [first, second] = [await visit.post('/portal/withdraw', { subscription: subscription.id, csrf }), await visit.post('/portal/withdraw', { subscription: subscription.id, csrf })];
    expect([first.statusCode, first.headers.location], first.body).toEqual([303, `/portal/withdrawn?subscription=${subscription.id}`]);
    expect(second.headers.location).toBe(first.headers.location);
    expect((await recur.kit.stripe.subscriptions.retrieve(subscription.provider_subscription_id)).status).toBe('canceled');
    const refunds = (await recur.kit.stripe.refunds.list({ payment_intent: paid.provider_payment_id })).data;
    expect(refunds.map((refund) => refund.amount)).toEqual([2999]);

    const done = await visit.get(first.headers.location as string);
    expect(done.statusCode).toBe(200);
    expect(plain(done.body)).toContain('We hebben je herroeping ontvangen op 1 januari 2026 om 01:00. Je abonnement Maandelijks is beëindigd.');
    expect(plain(done.body)).toContain('We betalen € 29,99 terug');
    expect(done.body).toContain('We hebben een bevestiging van je herroeping met datum en tijd gestuurd naar sanne@example.nl.');
    expect((await visit.get('/portal')).body).not.toContain(CONTROL);

    // The acknowledgement in the e-mail emulator's inbox: once, with the date and time.
    const mails = await poll('the acknowledgement e-mail', async () => {
      const inbox = ((await (await fetch(`${recur!.kit.sandbox.url}/sandbox/mail?to=sanne@example.nl`)).json()) as { data: Mail[] }).data;
      return inbox.some((mail) => mail.categories[0] === 'withdrawal-confirmation') ? inbox : null;
    });
    const acknowledgements = mails.filter((mail) => mail.categories[0] === 'withdrawal-confirmation');
    expect(acknowledgements).toHaveLength(1);
    expect(acknowledgements[0]!.subject).toBe('Bevestiging: je hebt je abonnement Maandelijks bij recur herroepen');
    expect(plain(acknowledgements[0]!.text)).toContain('We hebben je herroeping ontvangen op 1 januari 2026 om 01:00.');
    expect(plain(acknowledgements[0]!.text)).toContain('We betalen € 29,99 terug');
    const actions = (await listAuditEntries(t.ctx.db, 'subscription', subscription.id)).filter((entry) => entry.actor === 'portal:shop-9201').map((entry) => entry.action);
    expect(actions.filter((action) => action !== 'sync')).toEqual(['withdrawn', 'canceled']);
    const paymentAudit = (await listAuditEntries(t.ctx.db, 'payment', paid.id)).filter((entry) => entry.actor === 'portal:shop-9201').map((entry) => entry.action);
    expect(paymentAudit.filter((action) => action.startsWith('refund'))).toEqual(['refund_requested', 'refunded']);

    // Fifteen days on: the control is gone, the page and the POST say the period ended, nothing changes.
    const advanced = await fetch(`${recur.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ days: 15 }) });
    expect(advanced.ok).toBe(true);
    const lateVisit = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9202')).url);
    const lateOverview = await lateVisit.get('/portal');
    expect(lateOverview.body).toContain('Abonnement opzeggen');
    expect(lateOverview.body).not.toContain(CONTROL);
    const closedPage = await lateVisit.get(`/portal/withdraw?subscription=${late.id}`);
    expect(closedPage.statusCode).toBe(409);
    expect(closedPage.body).toContain('De termijn van 14 dagen om te herroepen is verlopen op 15 januari 2026.');
    // The session's token, from the cancel page's form (the overview of a running subscription has none).
    const lateCsrf = lateVisit.csrfOf((await lateVisit.get(`/portal/cancel?subscription=${late.id}`)).body);
    const refused = await lateVisit.post('/portal/withdraw', { subscription: late.id, csrf: lateCsrf });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Herroepen kan niet meer');
    expect((await recur.kit.stripe.subscriptions.retrieve(late.provider_subscription_id)).status).toBe('active');
    const latePayment = (await paymentsOf('shop-9202')).data[0]!;
    expect((await recur.kit.stripe.refunds.list({ payment_intent: latePayment.provider_payment_id })).data).toEqual([]);

    // Another customer's subscription id in this session: not found, nothing done.
    const foreign = await lateVisit.post('/portal/withdraw', { subscription: subscription.id, csrf: lateCsrf });
    expect(foreign.statusCode).toBe(404);
  }, 240_000);

  it('withdraws from a free trial: ended at Stripe now, nothing to refund, and the e-mail says so', async () => {
    recur = await startRunningRecur(kind, null, { messaging: true });
    await recur.startWorker();
    const { t } = recur;
    const api: ChangeKit['api'] = (method, path, body) =>
      fetch(`${recur!.baseUrl}${path}`, { method, headers: { authorization: t.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, redirect: 'manual' });
    expect((await api('POST', '/v1/customers', { external_id: 'shop-9203', email: 'tess@example.nl', locale: 'en' })).status).toBe(201);
    const started = await api('POST', '/v1/checkout', { customer: 'shop-9203', plan: 'yearly', provider: 'stripe', return_url: 'https://shop.example/account' });
    const subscription = await completeCheckout(recur, api, ((await started.json()) as { url: string }).url, 'shop-9203');
    expect(subscription.status).toBe('trialing');

    const visit = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9203')).url);
    expect((await visit.get('/portal')).body).toContain('Withdraw from contract here');
    const confirm = await visit.get(`/portal/withdraw?subscription=${subscription.id}`);
    expect(confirm.body).toContain('You have paid nothing that is to be refunded.');
    const done = await visit.post('/portal/withdraw', { subscription: subscription.id, csrf: visit.csrfOf(confirm.body) });
    expect(done.statusCode).toBe(303);
    expect((await recur.kit.stripe.subscriptions.retrieve(subscription.provider_subscription_id)).status).toBe('canceled');
    const page = await visit.get(done.headers.location as string);
    expect(page.body).toContain('Your Yearly subscription has ended.');
    expect(page.body).not.toContain('We are refunding');
    expect((await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM refunds')).rows[0]!.n).toBe(0);
    const mail = await poll('the acknowledgement e-mail', async () => {
      const inbox = ((await (await fetch(`${recur!.kit.sandbox.url}/sandbox/mail?to=tess@example.nl`)).json()) as { data: Mail[] }).data;
      return inbox.find((candidate) => candidate.categories[0] === 'withdrawal-confirmation') ?? null;
    });
    expect(mail.text).toContain('You paid nothing for this subscription that needs to be refunded.');
  }, 240_000);
});
