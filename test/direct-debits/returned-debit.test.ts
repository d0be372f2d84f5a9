import { afterEach, describe, expect, it } from 'vitest';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startRunningRecur, waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';
import { advanceSandboxDays, apiOf, dayOf, mailsTo, plain, runNoticeJobs, signUp } from '../notifications/notice-scenario-kit.ts';

const START = new Date('2026-03-02T09:00:00Z');
/** Stripe's SEPA test IBANs that settle three minutes after the debit: successfully, or returned. */
const IBAN_SUCCEEDS_LATER = 'AT321904300235473204';
const IBAN_RETURNED_LATER = 'AT871904300235473205';
/** Stripe's SEPA test IBAN whose debit is paid, then reversed by the customer's bank (a dispute). */
const IBAN_REVERSED = 'AT591904300235473203';

type Entitlement = { entitled: boolean; reason: string };
type Payment = { status: string; amount: { amount_minor: number } };

/**
 * The customer pays by SEPA Direct Debit: their subscription's payment method is a debit from
 * their IBAN (the sandbox's test IBANs decide the bank's answer). When the trial ends, Stripe takes
 * the first debit: for three minutes (days, in real life) it is processing, then the bank answers.
 */
async function payByDirectDebit(recur: RunningRecur, email: string, iban: string): Promise<void> {
  const stripe = recur.kit.stripe;
  const [customer] = (await stripe.customers.list({ email, limit: 1 })).data;
  const debit = await stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban }, billing_details: { name: 'Sanne Visser', email } });
  await stripe.paymentMethods.attach(debit.id, { customer: customer!.id });
  const [subscription] = (await stripe.subscriptions.list({ customer: customer!.id, limit: 1 })).data;
  await stripe.subscriptions.update(subscription!.id, { default_payment_method: debit.id });
}

async function advanceMinutes(recur: RunningRecur, minutes: number): Promise<void> {
  const response = await fetch(`${recur.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: minutes * 60 }) });
  if (!response.ok) throw new Error(`advance: ${response.status} ${await response.text()}`);
}

describe.each(testDatabaseKinds)('a renewal paid by SEPA Direct Debit on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  }, 120_000);

  it('is processing, with access, until the bank answers: returned, it makes the subscription past due with the direct-debit-returned notice; paid, it moves the period', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true });
    const running = recur;
    const api = apiOf(running);
    await running.startWorker();
    const returned = { externalId: 'shop-6101', email: 'teruggeboekt@example.nl' };
    const paid = { externalId: 'shop-6102', email: 'betaald@example.nl' };
    const subscriptions: Record<string, string> = {};
    for (const [who, iban] of [[returned, IBAN_RETURNED_LATER], [paid, IBAN_SUCCEEDS_LATER]] as const) {
      subscriptions[who.externalId] = (await signUp(running, { ...who, name: who.externalId, plan: 'monthly', card: 'pm_card_visa' })).subscriptionId;
      await payByDirectDebit(running, who.email, iban);
    }

    // The trial ends on day 30: the first debit is taken and is processing.
    for (let day = 0; day < 30; day++) {
      await runNoticeJobs(running);
      await advanceSandboxDays(running, 1);
    }
    await runNoticeJobs(running);
    for (const who of [returned, paid]) {
      const payments = (await (await api('GET', `/v1/payments?customer=${who.externalId}`)).json()) as { data: Payment[] };
      expect(payments.data.map((payment) => [payment.status, payment.amount.amount_minor]), who.externalId).toEqual([['processing', 2999]]);
      const entitlement = (await (await api('GET', `/v1/customers/${who.externalId}/entitlement`)).json()) as Entitlement;
      expect(entitlement, who.externalId).toMatchObject({ entitled: true });
    }

    // Stripe's own word for it is applied, not ignored.
    const processingEvents = await running.t.ctx.db.query<{ status: string }>("SELECT status FROM webhook_inbox WHERE type = 'payment_intent.processing'");
    expect(processingEvents.rows.map((row) => row.status)).toEqual(['processed', 'processed']);

    // Three minutes later the bank answers.
    await advanceMinutes(running, 5);
    await waitUntilSettled(running);
    await runNoticeJobs(running);

    const returnedPayments = (await (await api('GET', `/v1/payments?customer=${returned.externalId}`)).json()) as { data: Payment[] };
    expect(returnedPayments.data.map((payment) => payment.status)).toEqual(['failed']);
    const returnedSubscription = (await (await api('GET', `/v1/subscriptions/${subscriptions[returned.externalId]}`)).json()) as { status: string };
    expect(returnedSubscription.status).toBe('past_due');
    const mails = await mailsTo(running, returned.email);
    const notices = mails.map((mail) => mail.categories[0]);
    expect(notices).toContain('direct-debit-returned');
    expect(notices).not.toContain('payment-failed');
    const notice = mails.find((mail) => mail.categories[0] === 'direct-debit-returned')!;
    expect(dayOf(START, notice.sent_at)).toBe(30);
    expect(notice.subject).toContain('incasso');
    expect(plain(notice.text)).toContain('€ 29,99');
    expect(notice.text).toContain('/links/payment-method?token=');

    const paidPayments = (await (await api('GET', `/v1/payments?customer=${paid.externalId}`)).json()) as { data: Payment[] };
    expect(paidPayments.data.map((payment) => payment.status)).toEqual(['succeeded']);
    const paidSubscription = (await (await api('GET', `/v1/subscriptions/${subscriptions[paid.externalId]}`)).json()) as { status: string; current_period_end: string };
    expect(paidSubscription.status).toBe('active');
    expect(dayOf(START, paidSubscription.current_period_end)).toBeGreaterThanOrEqual(58);
    expect((await mailsTo(running, paid.email)).map((mail) => mail.categories[0])).toContain('receipt');
  }, 300_000);

  it('with ENTITLEMENT_WHILE_PROCESSING=deny gives no access while the debit processes, and access again once the bank paid it', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, settings: { ENTITLEMENT_WHILE_PROCESSING: 'deny' } });
    const running = recur;
    const api = apiOf(running);
    await running.startWorker();
    const customer = { externalId: 'shop-6103', email: 'streng@example.nl' };
    await signUp(running, { ...customer, name: customer.externalId, plan: 'monthly', card: 'pm_card_visa' });
    await payByDirectDebit(running, customer.email, IBAN_SUCCEEDS_LATER);
    await advanceSandboxDays(running, 30);
    await waitUntilSettled(running);
    const entitlement = async () => (await (await api('GET', `/v1/customers/${customer.externalId}/entitlement`)).json()) as Entitlement;
    expect(await entitlement()).toMatchObject({ entitled: false, reason: 'payment_processing' });
    await advanceMinutes(running, 5);
    await waitUntilSettled(running);
    expect(await entitlement()).toMatchObject({ entitled: true, reason: 'active' });
  }, 300_000);

  it('records a debit the customer reverses after it was paid like a dispute: the payment is disputed and the admin is alerted', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, settings: { ADMIN_EMAILS: ['admin@shop.example'] } });
    const running = recur;
    const api = apiOf(running);
    await running.startWorker();
    const customer = { externalId: 'shop-6104', email: 'storneert@example.nl' };
    await signUp(running, { ...customer, name: customer.externalId, plan: 'monthly', card: 'pm_card_visa' });
    await payByDirectDebit(running, customer.email, IBAN_REVERSED);
    await advanceSandboxDays(running, 30);
    await advanceMinutes(running, 5);
    await runNoticeJobs(running);
    const payments = (await (await api('GET', `/v1/payments?customer=${customer.externalId}`)).json()) as { data: Payment[] };
    expect(payments.data.map((payment) => payment.status)).toEqual(['disputed']);
    // The dispute policy runs as its own job; its alert follows.
    await poll('the dispute alert', async () => {
      await runNoticeJobs(running);
      const alerts = (await mailsTo(running, 'admin@shop.example')).map((mail) => mail.categories[0]);
      return alerts.includes('admin-alert-dispute') ? alerts : null;
    });
  }, 300_000);
});
