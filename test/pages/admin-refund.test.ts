import { afterEach, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { startChangeKit, type ChangeKit } from '../subscription-changes/change-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { buyPrepaidWithStripe } from '../refunds/refund-kit.ts';
import { createTestAdmin, hiddenField, signIn } from './admin-support.ts';

/**
 * The admin's refund, through the pages with a session cookie, against the Stripe sandbox: the
 * customer's page links a refundable payment to a confirmation page, the form's nonce makes a
 * double submit one refund at Stripe (counted through the SDK), bad input and a missing CSRF token
 * refund nothing, and the audit log names the staff member.
 */
describe.each(testDatabaseKinds)('the admin refunds a payment (%s)', (kind) => {
  let kit: ChangeKit | undefined;
  afterEach(async () => {
    await kit?.recur.close();
    kit = undefined;
  });

  it('confirms, refunds once on a double submit, and refuses bad input and a form without its token', async () => {
    kit = await startChangeKit(kind);
    const { t } = kit.recur;
    const payment = await buyPrepaidWithStripe(kit, 'shop-7101', 2);
    const stripeRefunds = async () => (await kit!.recur.kit.stripe.refunds.list({ payment_intent: payment.provider_payment_id, limit: 100 })).data;

    // Without a session: to the sign-in page, nothing refunded.
    const anonymous = await t.app.inject({ method: 'GET', url: `/admin/payments/${payment.id}/refund` });
    expect([anonymous.statusCode, anonymous.headers.location]).toEqual([303, '/admin/sign-in']);

    await createTestAdmin(t);
    const browser = await signIn(t);
    const customer = await browser.get('/admin/customers/shop-7101');
    expect(customer.body).toContain(`<a href="/admin/payments/${payment.id}/refund" aria-label="Refund the payment of EUR 59.98`);

    const page = await browser.get(`/admin/payments/${payment.id}/refund`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<dt>Left to refund</dt><dd>EUR 59.98</dd>');
    expect(page.body).toContain('name="amount" inputmode="decimal" autocomplete="off" value="59.98"');
    const fields = { _csrf: hiddenField(page.body, '_csrf'), nonce: hiddenField(page.body, 'nonce') };

    const withoutToken = await browser.post(`/admin/payments/${payment.id}/refund`, { nonce: fields.nonce, amount: '10.00', reason: 'Goodwill' });
    expect(withoutToken.statusCode).toBe(403);
    const tooMuch = await browser.post(`/admin/payments/${payment.id}/refund`, { ...fields, amount: '60.00', reason: 'Goodwill' });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.body).toContain('at most 5998 EUR minor units are left');
    const notAnAmount = await browser.post(`/admin/payments/${payment.id}/refund`, { ...fields, amount: '10.001', reason: 'Goodwill' });
    expect(notAnAmount.statusCode).toBe(400);
    expect(notAnAmount.body).toContain('Enter the amount in EUR');
    const noReason = await browser.post(`/admin/payments/${payment.id}/refund`, { ...fields, amount: '10.00', reason: ' ' });
    expect(noReason.statusCode).toBe(400);
    expect(await stripeRefunds()).toEqual([]);

    // A double click: two posts of the one form, at once. One refund at Stripe, both answers lead to it.
    const [first, second] = await Promise.all([1, 2].map(() => browser.post(`/admin/payments/${payment.id}/refund`, { ...fields, amount: '10,00', reason: 'Goodwill: late parcel' })));
    expect([first!.statusCode, second!.statusCode]).toEqual([303, 303]);
    expect(first!.headers.location).toMatch(/^\/admin\/refunds\/[0-9a-f-]{36}$/);
    expect(second!.headers.location).toBe(first!.headers.location);
    const atStripe = await stripeRefunds();
    expect(atStripe.map((refund) => refund.amount)).toEqual([1000]);
    // The same form sent again later: still that one refund.
    const resent = await browser.post(`/admin/payments/${payment.id}/refund`, { ...fields, amount: '10.00', reason: 'Goodwill: late parcel' });
    expect(resent.headers.location).toBe(first!.headers.location);
    expect(await stripeRefunds()).toHaveLength(1);

    const done = await browser.get(first!.headers.location as string);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('stripe refunded EUR 10.00 of this payment.');
    expect(done.body).toContain(atStripe[0]!.id);
    expect(done.body).toContain('Asked by</dt><dd>admin:anna');
    const after = await browser.get('/admin/customers/shop-7101');
    expect(after.body).toContain('<td>partially refunded</td>');

    const audit = (await listAuditEntries(t.ctx.db, 'payment', payment.id)).filter((entry) => entry.action.startsWith('refund'));
    expect(audit.map((entry) => [entry.actor, entry.action, entry.reason])).toEqual([
      ['admin:anna', 'refund_requested', 'Goodwill: late parcel'],
      ['admin:anna', 'refunded', 'Goodwill: late parcel'],
    ]);
  }, 180_000);
});
