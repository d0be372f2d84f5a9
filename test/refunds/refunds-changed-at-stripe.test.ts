import { afterEach, describe, expect, it } from 'vitest';
import { waitUntilSettled } from '../stripe/running-recur.ts';
import { startChangeKit, type ChangeKit } from '../subscription-changes/change-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, signIn } from '../pages/admin-support.ts';
import { enterPortal, requestPortalLink } from '../pages/portal-visit.ts';
import { buyPrepaidWithStripe, onlyPayment, SHOP, type PaymentJson } from './refund-kit.ts';

type Refunded = { refund: PaymentJson['refunds'][number]; payment: PaymentJson };

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

/**
 * Refunds that change after they are made, or are made outside recur, against the Stripe sandbox:
 * each reaches recur's refund rows through Stripe's webhooks (the refund read back), and the
 * payment's refunded amount follows Stripe's, also down when a refund fails.
 */
describe.each(testDatabaseKinds)('refunds changed or made at Stripe (%s)', (kind) => {
  let kit: ChangeKit | undefined;
  afterEach(async () => {
    await kit?.recur.close();
    kit = undefined;
  });

  const refundThroughRecur = async (payment: PaymentJson, body: unknown): Promise<Refunded> => {
    const response = await kit!.api('POST', `/v1/payments/${payment.id}/refunds`, body);
    expect(response.status).toBe(201);
    return (await response.json()) as Refunded;
  };
  const receiptOf = async (customer: string, payment: PaymentJson): Promise<string> => {
    const { t } = kit!.recur;
    const visit = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, customer)).url);
    const receipt = await visit.get(`/portal/payments/${payment.id}`);
    expect(receipt.statusCode).toBe(200);
    return receipt.body;
  };
  const paymentOf = async (customer: string, providerPaymentId: string): Promise<PaymentJson> => {
    const listed = (await (await kit!.api('GET', `/v1/payments?customer=${customer}`)).json()) as { data: PaymentJson[] };
    return listed.data.find((payment) => payment.provider_payment_id === providerPaymentId)!;
  };

  it('lists a refund made in Stripe\'s dashboard once its webhook is processed, with Stripe\'s reason or "made at the provider"', async () => {
    kit = await startChangeKit(kind);
    const payment = await buyPrepaidWithStripe(kit, 'shop-7101', 2);
    await kit.recur.startWorker();
    await waitUntilSettled(kit.recur);
    const stripe = kit.recur.kit.stripe;

    const first = await stripe.refunds.create({ payment_intent: payment.provider_payment_id, amount: 1000, reason: 'requested_by_customer' });
    const second = await stripe.refunds.create({ payment_intent: payment.provider_payment_id, amount: 500 });
    await waitUntilSettled(kit.recur);

    const listed = await onlyPayment(kit, 'shop-7101');
    expect(listed).toMatchObject({ status: 'partially_refunded', amount_refunded: { amount_minor: 1500, currency: 'EUR' } });
    expect(listed.refunds.map((r) => [r.provider_refund_id, r.amount.amount_minor, r.status, r.actor, r.reason])).toEqual([
      [first.id, 1000, 'succeeded', 'provider', 'requested_by_customer'],
      [second.id, 500, 'succeeded', 'provider', 'made at the provider'],
    ]);
    const keys = await kit.recur.t.ctx.db.query<{ request_key: string }>('SELECT request_key FROM refunds ORDER BY seq');
    expect(keys.rows.map((row) => row.request_key)).toEqual([`provider:stripe:${first.id}`, `provider:stripe:${second.id}`]);

    // The admin's customer page and the customer's receipt list them.
    await createTestAdmin(kit.recur.t);
    const admin = await signIn(kit.recur.t);
    const page = (await admin.get('/admin/customers/shop-7101')).body;
    expect(page).toContain('<h2 id="refunds">Refunds</h2>');
    expect(page).toContain(`<a href="/admin/refunds/${listed.refunds[0]!.id}">`);
    expect(page).toMatch(/EUR 10\.00<\/td>\s*<td>succeeded<\/td>\s*<td>made at stripe<\/td>\s*<td>requested_by_customer<\/td>/);
    const receipt = await receiptOf('shop-7101', listed);
    expect(receipt.match(/<dt>Refund of [^<]+<\/dt><dd>[^<]+ refunded<\/dd>/g)).toHaveLength(2);

    // A refund recur asked for is its own row, not a second one made from its webhooks.
    const ours = await refundThroughRecur(listed, { amount: { amount_minor: 700, currency: 'EUR' }, reason: 'Goodwill' });
    await waitUntilSettled(kit.recur);
    const after = await onlyPayment(kit, 'shop-7101');
    expect(after.refunds.map((r) => [r.id, r.actor.split(':')[0], r.status])).toEqual([
      [listed.refunds[0]!.id, 'provider', 'succeeded'],
      [listed.refunds[1]!.id, 'provider', 'succeeded'],
      [ours.refund.id, 'api_key', 'succeeded'],
    ]);
    expect(after.amount_refunded.amount_minor).toBe(2200);
  }, 180_000);

  it('moves a refund of pm_card_refundFail from succeeded to failed, and the payment\'s refunded amount back', async () => {
    kit = await startChangeKit(kind);
    expect((await kit.api('POST', '/v1/customers', { external_id: 'shop-7102', email: 'shop-7102@example.nl', locale: 'en' })).status).toBe(201);
    const started = await kit.api('POST', '/v1/checkout', { customer: 'shop-7102', plan: 'monthly', provider: 'stripe', mode: 'one_time', periods: 1, return_url: SHOP });
    expect(started.status).toBe(201);
    const paid = await fetch(((await started.json()) as { url: string }).url, form({ card: 'pm_card_refundFail', action: 'pay' }));
    expect(paid.status).toBe(303);
    expect((await fetch(paid.headers.get('location')!, { redirect: 'manual' })).status).toBe(303);
    await kit.recur.startWorker();
    await waitUntilSettled(kit.recur);
    const payment = await onlyPayment(kit, 'shop-7102');

    const made = await refundThroughRecur(payment, { reason: 'Customer withdrew' });
    expect(made.refund).toMatchObject({ status: 'succeeded', amount: { amount_minor: 2999 } });
    expect(made.payment).toMatchObject({ status: 'refunded', amount_refunded: { amount_minor: 2999 } });
    await waitUntilSettled(kit.recur);
    expect((await onlyPayment(kit, 'shop-7102')).refunds.map((r) => r.status)).toEqual(['succeeded']);
    const entitlement = async () => (await (await kit!.api('GET', '/v1/customers/shop-7102/entitlement')).json()) as { entitled: boolean; reason: string };
    // Refunded prepaid time gives none.
    expect(await entitlement()).toMatchObject({ entitled: false });

    // An hour later the bank sends the money back: Stripe says failed, and so does recur.
    await kit.advance({ seconds: 3_600 });
    await waitUntilSettled(kit.recur);
    const failed = (await paymentOf('shop-7102', payment.provider_payment_id))!;
    expect(failed).toMatchObject({ status: 'succeeded', amount_refunded: { amount_minor: 0, currency: 'EUR' } });
    expect(failed.refunds.map((r) => [r.id, r.status, r.failure])).toEqual([[made.refund.id, 'failed', 'expired_or_canceled_card']]);
    expect((await kit.recur.kit.stripe.refunds.retrieve(made.refund.provider_refund_id!)).status).toBe('failed');
    // The money stayed with the shop: the month it paid for counts again.
    expect(await entitlement()).toMatchObject({ entitled: true, reason: 'prepaid' });
    const changes = await kit.recur.t.ctx.db.query<{ data: { entitled: boolean } }>("SELECT data FROM outgoing_events WHERE type = 'entitlement.changed' ORDER BY sequence");
    expect(changes.rows.map((row) => row.data.entitled)).toEqual([true, false, true]);
    expect(await receiptOf('shop-7102', failed)).toMatch(/<dt>Refund of [^<]+<\/dt><dd>[^<]+, failed: not refunded<\/dd>/);

    // The money can be refunded again; the failed refund no longer counts. The new refund brings the
    // total back to the figure the failed one had, and is still told to the shop as a refund of its own.
    const again = await refundThroughRecur(failed, { reason: 'Second try' });
    expect(again.payment).toMatchObject({ status: 'refunded', amount_refunded: { amount_minor: 2999 } });
    await waitUntilSettled(kit.recur);
    const refunded = await kit.recur.t.ctx.db.query<{ data: { amount_refunded_minor: number } }>("SELECT data FROM outgoing_events WHERE type = 'payment.refunded' ORDER BY sequence");
    expect(refunded.rows.map((row) => row.data.amount_refunded_minor)).toEqual([2999, 2999]);
  }, 180_000);

  it('keeps a SEPA Direct Debit refund pending until the sandbox clock has moved five days', async () => {
    kit = await startChangeKit(kind);
    const card = await buyPrepaidWithStripe(kit, 'shop-7103', 1);
    await kit.recur.startWorker();
    const stripe = kit.recur.kit.stripe;
    // The same Stripe customer pays again by SEPA Direct Debit (an invoice made at Stripe, say).
    const customer = String((await stripe.paymentIntents.retrieve(card.provider_payment_id)).customer);
    const sepa = await stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: 'AT611904300234573201' }, billing_details: { name: 'Jan', email: 'shop-7103@example.nl' } });
    const debit = await stripe.paymentIntents.create({ amount: 4500, currency: 'eur', customer, payment_method: sepa.id, confirm: true });
    await waitUntilSettled(kit.recur);
    const payment = await paymentOf('shop-7103', debit.id);
    expect(payment).toMatchObject({ status: 'succeeded', amount: { amount_minor: 4500 } });

    const made = await refundThroughRecur(payment, { amount: { amount_minor: 1500, currency: 'EUR' }, reason: 'One item returned' });
    expect(made.refund).toMatchObject({ status: 'pending', provider_refund_id: expect.stringMatching(/^re_/) });
    await kit.advance({ days: 4 });
    await waitUntilSettled(kit.recur);
    expect((await paymentOf('shop-7103', debit.id)).refunds.map((r) => r.status)).toEqual(['pending']);

    await kit.advance({ days: 1 });
    await waitUntilSettled(kit.recur);
    const settled = await paymentOf('shop-7103', debit.id);
    expect(settled.refunds.map((r) => [r.id, r.status])).toEqual([[made.refund.id, 'succeeded']]);
    expect(settled).toMatchObject({ status: 'partially_refunded', amount_refunded: { amount_minor: 1500 } });
  }, 180_000);
});
