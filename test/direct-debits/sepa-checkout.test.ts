import { afterEach, describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startRunningRecur, waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';
import { apiOf, mailsTo, plain, runNoticeJobs } from '../notifications/notice-scenario-kit.ts';

const START = new Date('2026-03-02T09:00:00Z');
/** Stripe's SEPA test IBANs that the bank answers three minutes after the debit: paid, or returned. */
const IBAN = { paysLater: 'AT321904300235473204', returnedLater: 'AT871904300235473205' } as const;
/** A plan paid by SEPA Direct Debit from the first day, no trial. */
const catalogue = { ...defaultCatalogue, plans: [{ id: 'club', name: 'Club', interval: 'month' as const, amountMinor: 2999, currency: 'EUR', trialDays: 0, providerPriceIds: {}, paymentMethods: ['sepa_debit' as const, 'card' as const] }] };

type Entitlement = { entitled: boolean; reason: string };
type Payment = { status: string; method_type: string | null; mandate_reference: string | null };
type Subscription = { status: string; mandate_reference: string | null };

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

async function advanceMinutes(recur: RunningRecur, minutes: number): Promise<void> {
  const response = await fetch(`${recur.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: minutes * 60 }) });
  if (!response.ok) throw new Error(`advance: ${response.status} ${await response.text()}`);
}

/** Signs up on the sandbox's Checkout page with an IBAN (the mandate is accepted there) and comes back through recur's return. */
async function subscribeWithIban(recur: RunningRecur, externalId: string, email: string, iban: string): Promise<{ subscriptionId: string; checkout: string | null }> {
  const api = apiOf(recur);
  expect((await api('POST', '/v1/customers', { external_id: externalId, email, name: 'Sanne de Vries', locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
  const started = await api('POST', '/v1/checkout', { customer: externalId, plan: 'club', provider: 'stripe', return_url: 'https://shop.example/account' });
  expect(started.status).toBe(201);
  const { url } = (await started.json()) as { url: string };
  const page = await (await fetch(url)).text();
  expect(page).toContain('SEPA Direct Debit');
  const paid = await fetch(url, form({ method: 'sepa_debit', iban, account_holder: 'Sanne de Vries', action: 'pay' }));
  expect(paid.status).toBe(303);
  const back = await fetch(paid.headers.get('location')!, { redirect: 'manual' });
  expect(back.status).toBe(303);
  const shop = new URL(back.headers.get('location')!);
  return { subscriptionId: shop.searchParams.get('subscription')!, checkout: shop.searchParams.get('checkout') };
}

describe.each(testDatabaseKinds)('a subscription paid by SEPA Direct Debit from the start, on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  }, 120_000);

  it('is confirmed and entitled while its first debit processes, active once paid, and not entitled once returned', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, settings: { catalogue } });
    const running = recur;
    const api = apiOf(running);
    await running.startWorker();
    const paying = await subscribeWithIban(running, 'shop-7101', 'betaalt@example.nl', IBAN.paysLater);
    const returning = await subscribeWithIban(running, 'shop-7102', 'stokt@example.nl', IBAN.returnedLater);
    // The shop hears "pending": the bank has not answered yet.
    expect([paying.checkout, returning.checkout]).toEqual(['pending', 'pending']);
    await runNoticeJobs(running);

    for (const [externalId, email, { subscriptionId }] of [['shop-7101', 'betaalt@example.nl', paying], ['shop-7102', 'stokt@example.nl', returning]] as const) {
      const subscription = (await (await api('GET', `/v1/subscriptions/${subscriptionId}`)).json()) as Subscription;
      expect(subscription.status).toBe('incomplete');
      expect(subscription.mandate_reference).toMatch(/^[A-Z0-9]{8,}$/);
      const payments = ((await (await api('GET', `/v1/payments?customer=${externalId}`)).json()) as { data: Payment[] }).data;
      expect(payments).toMatchObject([{ status: 'processing', method_type: 'sepa_debit', mandate_reference: subscription.mandate_reference }]);
      expect((await (await api('GET', `/v1/customers/${externalId}/entitlement`)).json()) as Entitlement).toMatchObject({ entitled: true, reason: 'payment_processing' });
      const confirmation = (await mailsTo(running, email)).find((mail) => mail.categories[0] === 'enrolment-confirmation');
      expect(confirmation, email).toBeDefined();
      expect(plain(confirmation!.text).replace(/ +/g, ' ')).toContain(`Machtigingskenmerk: ${subscription.mandate_reference}`);
    }

    await advanceMinutes(running, 5);
    await waitUntilSettled(running);
    await runNoticeJobs(running);

    expect(((await (await api('GET', `/v1/subscriptions/${paying.subscriptionId}`)).json()) as Subscription).status).toBe('active');
    expect((await (await api('GET', '/v1/customers/shop-7101/entitlement')).json()) as Entitlement).toMatchObject({ entitled: true, reason: 'active' });
    const payingMails = (await mailsTo(running, 'betaalt@example.nl')).map((mail) => mail.categories[0]);
    expect(payingMails.filter((template) => template === 'enrolment-confirmation')).toHaveLength(1);
    expect(payingMails).toContain('receipt');

    // The customer moves to a card: the subscription is no longer paid by debit, and names no mandate.
    const stripe = running.kit.stripe;
    const [customer] = (await stripe.customers.list({ email: 'betaalt@example.nl', limit: 1 })).data;
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer!.id });
    const [atStripe] = (await stripe.subscriptions.list({ customer: customer!.id, limit: 1 })).data;
    await stripe.subscriptions.update(atStripe!.id, { default_payment_method: card.id });
    await waitUntilSettled(running);
    expect(((await (await api('GET', `/v1/subscriptions/${paying.subscriptionId}`)).json()) as Subscription).mandate_reference).toBeNull();

    expect(((await (await api('GET', '/v1/payments?customer=shop-7102')).json()) as { data: Payment[] }).data.map((payment) => payment.status)).toEqual(['failed']);
    expect((await (await api('GET', '/v1/customers/shop-7102/entitlement')).json()) as Entitlement).toMatchObject({ entitled: false });
    expect((await mailsTo(running, 'stokt@example.nl')).map((mail) => mail.categories[0])).toContain('direct-debit-returned');
  }, 300_000);
});
