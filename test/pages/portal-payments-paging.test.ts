import { afterEach, describe, expect, it } from 'vitest';
import { upsertPayment } from '../../src/db/repositories/payment-repository.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { enterPortal, requestPortalLink } from './portal-visit.ts';

const DAY_MS = 86_400_000;

/**
 * The payment history in pages of 20, newest first, each payment on exactly one page; refunds in
 * words on the row and the receipt. Payments are written as the webhook processing records them.
 */
describe.each(testDatabaseKinds)('the portal\'s payment history, paged (%s)', (kind) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('shows 20 payments a page with a link to older ones, and a refund on its row and receipt', async () => {
    t = await startTestApp(kind);
    const customerId = await seedCustomer(t, 'shop-9301', { locale: 'en' });
    const subscriptionId = await seedSubscription(t, customerId);
    const start = t.clock.now().getTime() - 30 * DAY_MS;
    const ids: string[] = [];
    for (let month = 0; month < 23; month++) {
      const at = new Date(start + month * DAY_MS);
      const refunded = month === 22 ? 1000 : 0;
      const outcome = await upsertPayment(
        t.ctx.db,
        { customerId, subscriptionId, provider: 'stripe', providerPaymentId: `pi_page_${month}`, kind: 'subscription', amountMinor: 2999 + month, currency: 'EUR', amountRefundedMinor: refunded, status: refunded ? 'partially_refunded' : 'succeeded', methodSummary: 'visa •••• 4242', invoiceAt: at, providerUpdatedAt: at },
        at,
      );
      if (outcome.outcome !== 'inserted') throw new Error('payment not inserted');
      ids.push(outcome.payment.id);
    }
    const newestFirst = [...ids].reverse();
    const visit = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9301')).url);
    const receiptIds = (html: string) => [...html.matchAll(/href="\/portal\/payments\/([0-9a-f-]{36})"/g)].map((match) => match[1]);

    const first = await visit.get('/portal/payments');
    expect(receiptIds(first.body)).toEqual(newestFirst.slice(0, 20));
    expect(first.body).toContain(`<a href="/portal/payments?after=${newestFirst[19]}">Older payments</a>`);
    expect(first.body).not.toContain('To the newest payments');
    // The newest was partly refunded: its row says so.
    expect(first.body.replace(/\s+/g, ' ')).toContain('<td>€30.21</td> <td>Partly refunded<br><span class="muted">€10.00 refunded</span></td>');

    const second = await visit.get(`/portal/payments?after=${newestFirst[19]}`);
    expect(receiptIds(second.body)).toEqual(newestFirst.slice(20));
    expect(second.body).not.toContain('Older payments');
    expect(second.body).toContain('<a href="/portal/payments">To the newest payments</a>');

    const receipt = await visit.get(`/portal/payments/${newestFirst[0]}`);
    expect(receipt.body).toContain('<dt>Amount</dt><dd>€30.21</dd>');
    expect(receipt.body).toContain('<dt>Refunded</dt><dd>€10.00</dd>');
    expect(receipt.body).toContain('<dt>Status</dt><dd>Partly refunded</dd>');
    // An amount other than the plan's price (here 30.21, the plan 29.99): only where the period starts.
    expect(receipt.body).toMatch(/<dt>Period<\/dt><dd>from \d+ [A-Z][a-z]+ \d{4}<\/dd>/);
    const full = await visit.get(`/portal/payments/${ids[0]}`);
    expect(full.body).toMatch(/<dt>Period<\/dt><dd>\d+ [A-Z][a-z]+ \d{4} to \d+ [A-Z][a-z]+ \d{4}<\/dd>/);
  }, 60_000);
});
