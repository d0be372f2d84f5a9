import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertPayment, type PaymentStatus } from '../../src/db/repositories/payment-repository.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, signIn, type AdminBrowser } from './admin-support.ts';

/** The payments a list page shows, as "customer status", in order. */
const listed = (html: string): string[] =>
  [...html.matchAll(/<tr data-payment="[^"]+">[\s\S]*?<a href="\/admin\/customers\/[^"]+">([^<]+)<\/a>[\s\S]*?<td data-status="([a-z_]+)">/g)].map((match) => `${match[1]} ${match[2]}`);

/** The payments the page offers a refund for, by id. */
const refundLinks = (html: string): string[] => [...html.matchAll(/href="\/admin\/payments\/([^/]+)\/refund"/g)].map((match) => match[1]!);

describe.each(testDatabaseKinds)('the admin payments page on %s', (kind) => {
  let t: TestApp;
  let browser: AdminBrowser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp(kind);
    await createTestAdmin(t);
    browser = await signIn(t);
    const anna = await seedCustomer(t, 'cust-anna', { email: 'anna@sportwinkel.test' });
    const bram = await seedCustomer(t, 'cust-bram', { email: 'bram@example.nl' });
    const annaSub = await seedSubscription(t, anna, { planId: 'monthly' });
    const bramSub = await seedSubscription(t, bram, { planId: 'yearly' });
    // Oldest first, a minute apart.
    const payments: [string, string, string, number, number, PaymentStatus][] = [
      ['anna-paid', anna, annaSub, 2_999, 0, 'succeeded'],
      ['bram-failed', bram, bramSub, 29_990, 0, 'failed'],
      ['anna-partly', anna, annaSub, 2_999, 1_000, 'partially_refunded'],
      ['bram-refunded', bram, bramSub, 29_990, 29_990, 'refunded'],
    ];
    for (const [name, customerId, subscriptionId, amountMinor, amountRefundedMinor, status] of payments) {
      t.clock.advance(60_000);
      const now = t.clock.now();
      const outcome = await upsertPayment(
        t.ctx.db,
        { customerId, subscriptionId, provider: 'stripe', providerPaymentId: `pi_${name}`, kind: 'subscription', amountMinor, currency: 'EUR', amountRefundedMinor, status, methodSummary: 'visa •••• 4242', invoiceAt: now, providerUpdatedAt: now },
        now,
      );
      if (outcome.outcome === 'unchanged') throw new Error(`payment ${name} not seeded`);
      ids[name] = outcome.payment.id;
    }
  });
  afterAll(() => t?.close());

  it('lists every payment newest first, filters by status and customer, and offers a refund only where money is left', async () => {
    const all = await browser.get('/admin/payments');
    expect(all.statusCode).toBe(200);
    expect(listed(all.body)).toEqual(['cust-bram refunded', 'cust-anna partially_refunded', 'cust-bram failed', 'cust-anna succeeded']);
    expect(all.body).toContain('aria-current="page">Payments</a>');
    expect(refundLinks(all.body)).toEqual([ids['anna-partly'], ids['anna-paid']]);

    expect(listed((await browser.get('/admin/payments?status=failed')).body)).toEqual(['cust-bram failed']);
    expect(listed((await browser.get('/admin/payments?customer=cust-anna&status=')).body)).toEqual(['cust-anna partially_refunded', 'cust-anna succeeded']);
    expect((await browser.get('/admin/payments?status=lost')).statusCode).toBe(400);
    expect((await browser.get('/admin/payments?customer=nobody')).statusCode).toBe(404);
  });

  it('pages through the list with the filters kept', async () => {
    const first = await browser.get('/admin/payments?customer=cust-anna');
    expect(first.body).not.toContain('rel="next"');
    const carla = await seedCustomer(t, 'cust-carla', { email: 'carla@example.nl' });
    const subscription = await seedSubscription(t, carla, { planId: 'monthly' });
    for (let n = 0; n < 26; n++) {
      t.clock.advance(60_000);
      const now = t.clock.now();
      await upsertPayment(t.ctx.db, { customerId: carla, subscriptionId: subscription, provider: 'stripe', providerPaymentId: `pi_carla_${n}`, kind: 'subscription', amountMinor: 2_999, currency: 'EUR', amountRefundedMinor: 0, status: 'succeeded', methodSummary: null, invoiceAt: now, providerUpdatedAt: now }, now);
    }
    const page1 = await browser.get('/admin/payments?customer=cust-carla');
    expect(listed(page1.body)).toHaveLength(25);
    const next = /href="([^"]+)" rel="next"/.exec(page1.body)![1]!.replaceAll('&amp;', '&');
    expect(next).toMatch(/^\/admin\/payments\?customer=cust-carla&after=/);
    const page2 = await browser.get(next);
    expect(listed(page2.body)).toEqual(['cust-carla succeeded']);
  });

  it('is for signed-in staff only', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/admin/payments' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/admin/sign-in');
  });
});
