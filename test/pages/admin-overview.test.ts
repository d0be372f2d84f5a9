import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalogue } from '../../src/config/catalogue-schema.ts';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import { upsertPayment, type PaymentStatus } from '../../src/db/repositories/payment-repository.ts';
import type { SubscriptionStatus } from '../../src/domain/subscription-status.ts';
import { readOverview } from '../../src/services/admin/read-overview.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, signIn } from './admin-support.ts';

// The webshop's EUR plans, and a USD pair whose yearly price is not a multiple of twelve.
const catalogue: Catalogue = {
  ...defaultCatalogue,
  plans: [
    ...defaultCatalogue.plans,
    { id: 'us-monthly', name: 'US monthly', interval: 'month', amountMinor: 999, currency: 'USD', trialDays: 0, providerPriceIds: {} },
    { id: 'us-yearly', name: 'US yearly', interval: 'year', amountMinor: 10_001, currency: 'USD', trialDays: 0, providerPriceIds: {} },
  ],
};

type Seeded = { planId: string; status: SubscriptionStatus; canceledAt?: string };

// The test app's clock stands at 2026-03-01T10:00Z: "this month" is March 2026.
const SUBSCRIPTIONS: Seeded[] = [
  ...Array.from({ length: 3 }, () => ({ planId: 'monthly', status: 'active' as const })),
  ...Array.from({ length: 2 }, () => ({ planId: 'yearly', status: 'active' as const })),
  { planId: 'monthly', status: 'trialing' },
  { planId: 'monthly', status: 'past_due' },
  { planId: 'yearly', status: 'canceled', canceledAt: '2026-03-01T08:00:00Z' },
  { planId: 'monthly', status: 'canceled', canceledAt: '2026-02-20T12:00:00Z' },
  { planId: 'us-monthly', status: 'active' },
  ...Array.from({ length: 2 }, () => ({ planId: 'us-yearly', status: 'active' as const })),
  // A plan the catalogue no longer has: active, but without a price.
  { planId: 'legacy-2019', status: 'active' },
];

const PAYMENTS: { status: PaymentStatus; invoiceAt: string }[] = [
  { status: 'failed', invoiceAt: '2026-03-01T06:00:00Z' },
  { status: 'failed', invoiceAt: '2026-03-01T09:00:00Z' },
  { status: 'failed', invoiceAt: '2026-02-27T09:00:00Z' },
  { status: 'succeeded', invoiceAt: '2026-03-01T07:00:00Z' },
];

/** The monthly values of what the API lists as active, summed per currency the documented way. */
async function mrrFromTheApi(t: TestApp): Promise<Record<string, number>> {
  const listed = (await t.app.inject({ method: 'GET', url: '/v1/subscriptions?status=active&limit=100', headers: { authorization: t.auth } })).json().data as { plan: string }[];
  const monthly: Record<string, number> = {};
  const yearly: Record<string, number> = {};
  expect(listed).toHaveLength(9);
  for (const { plan: planId } of listed) {
    const plan = catalogue.plans.find((candidate) => candidate.id === planId);
    if (!plan) continue;
    const bucket = plan.interval === 'month' ? monthly : yearly;
    bucket[plan.currency] = (bucket[plan.currency] ?? 0) + plan.amountMinor;
  }
  const currencies = new Set([...Object.keys(monthly), ...Object.keys(yearly)]);
  return Object.fromEntries([...currencies].map((currency) => [currency, (monthly[currency] ?? 0) + Math.round((yearly[currency] ?? 0) / 12)]));
}

describe.each(testDatabaseKinds)('the admin overview on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { catalogue });
    await createTestAdmin(t);
    let n = 0;
    for (const seeded of SUBSCRIPTIONS) {
      const customerId = await seedCustomer(t, `cust-${++n}`);
      await seedSubscription(t, customerId, { planId: seeded.planId, status: seeded.status, providerStatus: seeded.status, canceledAt: seeded.canceledAt ? new Date(seeded.canceledAt) : null });
    }
    const payer = await seedCustomer(t, 'payer');
    for (const [index, payment] of PAYMENTS.entries()) {
      await upsertPayment(
        t.ctx.db,
        { customerId: payer, subscriptionId: null, provider: 'stripe', providerPaymentId: `pi_${index}`, kind: 'subscription', amountMinor: 2999, currency: 'EUR', amountRefundedMinor: 0, status: payment.status, methodSummary: null, invoiceAt: new Date(payment.invoiceAt), providerUpdatedAt: new Date(payment.invoiceAt) },
        t.clock.now(),
      );
    }
  });
  afterAll(() => t?.close());

  it('counts MRR per currency from active subscriptions, a yearly plan as a twelfth of the summed yearly prices', async () => {
    const overview = await readOverview(t.ctx);
    // EUR: 3 × 2999 + (2 × 29990) / 12 = 8997 + 4998.33…; USD: 999 + (2 × 10001) / 12 = 999 + 1666.83…
    // (a twelfth per subscription, rounded each time, would give USD 999 + 2 × 833 = 2665).
    expect(overview.mrr).toEqual([
      { currency: 'EUR', amount_minor: 13_995 },
      { currency: 'USD', amount_minor: 2_666 },
    ]);
    expect(Object.fromEntries(overview.mrr.map((total) => [total.currency, total.amount_minor]))).toEqual(await mrrFromTheApi(t));
    expect(overview).toMatchObject({ month: '2026-03', active: 9, trialing: 1, pastDue: 1, canceledThisMonth: 1, failedPaymentsThisMonth: 2, activeWithoutPrice: 1 });
  });

  it('shows those figures on /admin', async () => {
    const page = await (await signIn(t)).get('/admin');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<li class="figure" data-currency="EUR">EUR 139.95</li>');
    expect(page.body).toContain('<li class="figure" data-currency="USD">USD 26.66</li>');
    const figure = (name: string) => new RegExp(`data-figure="${name}">(\\d+)<`).exec(page.body)?.[1];
    expect([figure('active'), figure('trialing'), figure('past_due'), figure('canceled_this_month'), figure('failed_payments_this_month')]).toEqual(['9', '1', '1', '1', '2']);
    expect(page.body).toContain('1 active on a plan no longer in the catalogue are not counted');
  });

  it('moves "this month" with the clock', async () => {
    t.clock.set('2026-04-02T00:00:00Z');
    const overview = await readOverview(t.ctx);
    expect(overview).toMatchObject({ month: '2026-04', canceledThisMonth: 0, failedPaymentsThisMonth: 0, active: 9 });
    t.clock.set('2026-03-01T10:00:00Z');
  });
});
