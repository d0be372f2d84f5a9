import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertPayment, type PaymentStatus } from '../../src/db/repositories/payment-repository.ts';
import type { SubscriptionState } from '../../src/db/repositories/subscription-repository.ts';
import { readOverview } from '../../src/services/admin/read-overview.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, signIn } from './admin-support.ts';

const at = (iso: string) => new Date(iso);

/**
 * A small shop's year, every fact dated by the provider and all of it recorded by recur on
 * 2026-03-15 (the clock): the figures must follow the facts' dates, not the recording time.
 */
const SHOP: { name: string; state: Partial<SubscriptionState>; payments: { status: PaymentStatus; at: string }[] }[] = [
  { name: 'a', state: { planId: 'monthly', status: 'active' }, payments: [{ status: 'succeeded', at: '2025-12-10T09:00:00Z' }] },
  { name: 'b', state: { planId: 'yearly', status: 'active' }, payments: [{ status: 'succeeded', at: '2025-06-15T09:00:00Z' }] },
  { name: 'c', state: { planId: 'monthly', status: 'canceled', canceledAt: at('2026-01-20T12:00:00Z') }, payments: [{ status: 'succeeded', at: '2025-10-05T09:00:00Z' }] },
  // Canceled within its trial: a trial that ended unconverted, never paying.
  { name: 'd', state: { planId: 'monthly', status: 'canceled', trialEnd: at('2026-02-14T00:00:00Z'), canceledAt: at('2026-02-03T08:00:00Z') }, payments: [] },
  { name: 'e', state: { planId: 'monthly', status: 'active', trialEnd: at('2026-02-10T00:00:00Z') }, payments: [{ status: 'succeeded', at: '2026-02-10T00:05:00Z' }] },
  {
    name: 'f',
    state: { planId: 'monthly', status: 'past_due', pastDueSince: at('2026-03-05T06:00:00Z') },
    payments: [
      { status: 'succeeded', at: '2025-11-03T09:00:00Z' },
      { status: 'failed', at: '2026-03-05T06:00:00Z' },
    ],
  },
  // Asked to cancel on 1 February, so it ended with its paid year on 10 March.
  {
    name: 'g',
    state: { planId: 'yearly', status: 'canceled', cancelAtPeriodEnd: true, currentPeriodStart: at('2025-03-10T00:00:00Z'), currentPeriodEnd: at('2026-03-10T00:00:00Z'), canceledAt: at('2026-02-01T10:00:00Z') },
    payments: [{ status: 'succeeded', at: '2025-03-10T00:00:00Z' }],
  },
  { name: 'h', state: { planId: 'monthly', status: 'trialing', trialEnd: at('2026-04-01T00:00:00Z') }, payments: [] },
  { name: 'i', state: { planId: 'monthly', status: 'active' }, payments: [] },
];

describe.each(testDatabaseKinds)('the admin overview over time on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    t.clock.set('2026-03-15T12:00:00Z');
    await createTestAdmin(t);
    let n = 0;
    for (const seeded of SHOP) {
      const customerId = await seedCustomer(t, `cust-${seeded.name}`);
      const subscriptionId = await seedSubscription(t, customerId, { providerStatus: String(seeded.state.status), ...seeded.state });
      for (const payment of seeded.payments) {
        await upsertPayment(
          t.ctx.db,
          { customerId, subscriptionId, provider: 'stripe', providerPaymentId: `pi_${++n}`, kind: 'subscription', amountMinor: 2999, currency: 'EUR', amountRefundedMinor: 0, status: payment.status, methodSummary: null, invoiceAt: at(payment.at), providerUpdatedAt: at(payment.at) },
          t.clock.now(),
        );
      }
    }
    // A failed payment of February that recur heard of only now.
    const late = await seedCustomer(t, 'cust-late');
    await upsertPayment(
      t.ctx.db,
      { customerId: late, subscriptionId: null, provider: 'stripe', providerPaymentId: 'pi_late', kind: 'subscription', amountMinor: 2999, currency: 'EUR', amountRefundedMinor: 0, status: 'failed', methodSummary: null, invoiceAt: at('2026-02-12T09:00:00Z'), providerUpdatedAt: at('2026-02-12T09:00:00Z') },
      t.clock.now(),
    );
  });
  afterAll(() => t?.close());

  it('rebuilds each month from dated facts: active and MRR at its end, churn, trial conversion and failed payments', async () => {
    const overview = await readOverview(t.ctx);
    const months = overview.history;
    expect(months.map((month) => month.month)).toEqual(['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03']);
    // i (active, no payment recorded) counts from when recur recorded it: now.
    expect(months.map((month) => month.activeAtEnd)).toEqual([1, 1, 2, 2, 2, 2, 3, 4, 5, 4, 5, 4]);
    expect(months.map((month) => month.mrrAtEnd.find((total) => total.currency === 'EUR')?.amount_minor)).toEqual([2499, 2499, 4998, 4998, 4998, 4998, 7997, 10996, 13995, 10996, 13995, 11496]);
    // c ended in January, g in March (its period end), of 5 active at each month's start; f is past due, not ended.
    expect(months.map((month) => [month.churned, month.activeAtStart])).toEqual([[0, 1], [0, 1], [0, 1], [0, 2], [0, 2], [0, 2], [0, 2], [0, 3], [0, 4], [1, 5], [0, 4], [1, 5]]);
    expect(months[9]!.churnRate).toBe(0.2);
    expect(months[3]!.churnRate).toBe(0);
    // d's trial ended when it was canceled (3 February), e's converted; h's has not ended.
    expect(months.map((month) => [month.trialsEnded, month.trialsConverted])).toEqual([...Array.from({ length: 10 }, () => [0, 0]), [2, 1], [0, 0]]);
    expect(months[10]!.conversionRate).toBe(0.5);
    expect(months[11]!.conversionRate).toBeNull();
    expect(overview.trialConversion).toEqual({ ended: 2, converted: 1, rate: 0.5 });
    expect(months.map((month) => month.failedPayments)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    // The current month's end is now: the same subscriptions and MRR as the headline figures.
    expect(months[11]!.activeAtEnd).toBe(overview.active);
    expect(months[11]!.mrrAtEnd).toEqual(overview.mrr);
    expect(overview).toMatchObject({ active: 4, pastDue: 1, trialing: 1, canceledThisMonth: 1, failedPaymentsThisMonth: 1 });
  });

  it('draws the charts as SVG with one point per month, and shows churn and trial conversion', async () => {
    const page = await (await signIn(t)).get('/admin');
    expect(page.statusCode).toBe(200);
    const chart = (id: string) => {
      const svg = new RegExp(`<figure class="chart" data-chart="${id}">([\\s\\S]*?)</figure>`).exec(page.body)?.[1] ?? '';
      return [...svg.matchAll(/data-label="([^"]+)" data-value="([^"]+)"/g)].map((match) => [match[1], Number(match[2])]);
    };
    const labels = ['Apr 2025', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'Jan 2026', 'Feb', 'Mar'];
    expect(chart('active')).toEqual(labels.map((label, index) => [label, [1, 1, 2, 2, 2, 2, 3, 4, 5, 4, 5, 4][index]]));
    expect(chart('mrr-EUR').map(([, value]) => value)).toEqual([2499, 2499, 4998, 4998, 4998, 4998, 7997, 10996, 13995, 10996, 13995, 11496]);
    expect(chart('churn').map(([, value]) => value)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0.2, 0, 0.2]);
    expect(chart('trial-conversion').map(([, value]) => value)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0]);
    expect(chart('failed-payments').map(([, value]) => value)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    // Higher values sit higher: the y of December's point (5 active) above April's (1).
    const ys = [...(/data-chart="active">([\s\S]*?)<\/figure>/.exec(page.body)?.[1] ?? '').matchAll(/cy="([\d.]+)"/g)].map((match) => Number(match[1]));
    expect(ys[8]!).toBeLessThan(ys[0]!);
    // A count's axis has no line at 2.5 subscriptions.
    expect(/data-chart="active">([\s\S]*?)<\/figure>/.exec(page.body)?.[1]).not.toContain('>2.5<');
    expect(page.body).toContain('<title>Jan 2026: 20.0%</title>');
    expect(page.body).toMatch(/data-figure="churn_this_month">20\.0%</);
    expect(page.body).toMatch(/data-figure="trial_conversion">50\.0%</);
    expect(page.body).toContain('<td>1 of 5</td>');
    // No script and no inline style: the charts are markup the policy allows.
    expect(page.body).not.toMatch(/<script|style=/);
  });
});
