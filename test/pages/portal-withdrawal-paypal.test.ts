import { PaymentsController } from '@paypal/paypal-server-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import { accessToken, paypalCall, paypalSdk } from '../sandbox/paypal/paypal-kit.ts';
import { PAYS, startPaypalRecur, type PaypalRecur } from '../paypal/events/paypal-events-kit.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { enterPortal, requestPortalLink } from './portal-visit.ts';

/** Plans charged at sign-up, and a shop that keeps the part of the period used before a withdrawal. */
const PRORATED = { ...defaultCatalogue, plans: defaultCatalogue.plans.map((plan) => ({ ...plan, trialDays: 0 })), withdrawal: { refund: 'prorated' as const } };

type SubscriptionJson = { id: string; status: string; current_period_start: string; current_period_end: string };
type PaymentJson = { id: string; provider_payment_id: string; status: string; amount: { amount_minor: number }; amount_refunded: { amount_minor: number } };

/**
 * Withdrawal of a PayPal subscription through the portal, with the `prorated` policy: cancelled
 * at PayPal at once, the unused part of the paid month refunded on PayPal's sale (read back through
 * PayPal's SDK), and the acknowledgement in the e-mail emulator's inbox, in English.
 */
describe.each(testDatabaseKinds)('the customer portal: withdrawal of a PayPal subscription, prorated (%s)', (kind) => {
  let recur: PaypalRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  }, 120_000);

  it('ends it at PayPal, refunds the unused part of the month once, and acknowledges by e-mail', async () => {
    recur = await startPaypalRecur(kind, null, { messaging: true, settings: { catalogue: PRORATED } });
    const { customerId } = await recur.subscribe(PAYS, { email: 'erin@example.nl', locale: 'en' });
    await recur.settle();
    const api = async (url: string) => (await recur!.t.app.inject({ method: 'GET', url, headers: { authorization: recur!.t.auth } })).json() as { data: unknown[] };
    const externalId = (await recur.t.ctx.db.query<{ external_id: string }>('SELECT external_id FROM customers WHERE id = $1', [customerId])).rows[0]!.external_id;
    const subscription = (await api(`/v1/subscriptions?customer=${externalId}`)).data[0] as SubscriptionJson;
    const payment = (await poll('the first PayPal payment', async () => ((await api(`/v1/payments?customer=${externalId}`)).data[0] as PaymentJson | undefined) ?? null));
    expect([subscription.status, payment.status, payment.amount.amount_minor]).toEqual(['active', 'succeeded', 2999]);

    await recur.moveToDay(10);
    const withdrawnAt = recur.t.ctx.clock.now();
    const [start, end] = [Date.parse(subscription.current_period_start), Date.parse(subscription.current_period_end)];
    const expected = Math.floor((2999 * (end - withdrawnAt.getTime())) / (end - start));
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(2999);

    const visit = await enterPortal(recur.t.app, (await requestPortalLink(recur.t.app, recur.t.auth, externalId)).url);
    expect((await visit.get('/portal')).body).toContain('Withdraw from contract here');
    const confirm = await visit.get(`/portal/withdraw?subscription=${subscription.id}`);
    const amount = (minor: number) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }).format(minor / 100);
    expect(confirm.body).toContain(`You get ${amount(expected)} back`);
    const done = await visit.post('/portal/withdraw', { subscription: subscription.id, csrf: visit.csrfOf(confirm.body) });
    expect([done.statusCode, done.headers.location]).toEqual([303, `/portal/withdrawn?subscription=${subscription.id}`]);
    expect((await visit.post('/portal/withdraw', { subscription: subscription.id, csrf: visit.csrfOf(confirm.body) })).statusCode).toBe(303);

    const atPaypal = (await paypalCall(recur.sandbox.url, await accessToken(recur.sandbox.url), 'GET', `/v1/billing/subscriptions/${(await recur.t.ctx.db.query<{ p: string }>('SELECT provider_subscription_id AS p FROM subscriptions WHERE id = $1', [subscription.id])).rows[0]!.p}`)).body;
    expect(atPaypal.status).toBe('CANCELLED');
    const sale = (await new PaymentsController(paypalSdk(recur.sandbox.url)).getCapturedPayment({ captureId: payment.provider_payment_id })).result;
    expect(sale.status).toBe('PARTIALLY_REFUNDED');
    const refunded = (await api(`/v1/payments?customer=${externalId}`)).data[0] as PaymentJson & { refunds: { amount: { amount_minor: number }; status: string }[] };
    expect(refunded.refunds.map((refund) => [refund.amount.amount_minor, refund.status])).toEqual([[expected, 'succeeded']]);
    expect(refunded).toMatchObject({ status: 'partially_refunded', amount_refunded: { amount_minor: expected } });

    const mail = await poll('the acknowledgement e-mail', async () => {
      const inbox = ((await (await fetch(`${recur!.sandbox.url}/sandbox/mail?to=erin@example.nl`)).json()) as { data: { subject: string; categories: string[]; text: string }[] }).data;
      return inbox.find((candidate) => candidate.categories[0] === 'withdrawal-confirmation') ?? null;
    });
    expect(mail.subject).toContain('you withdrew from your Monthly subscription');
    expect(mail.text.replace(/[\u00a0\u202f]/g, ' ')).toContain(`We are refunding ${amount(expected)}`);
  }, 240_000);
});
