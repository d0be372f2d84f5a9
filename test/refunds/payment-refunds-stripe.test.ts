import { afterEach, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { startChangeKit, type ChangeKit } from '../subscription-changes/change-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { settlePendingRefunds } from '../../src/services/refunds/settle-pending-refunds.ts';
import { buyPrepaidWithStripe, onlyPayment, type PaymentJson } from './refund-kit.ts';

type Refunded = { refund: PaymentJson['refunds'][number]; payment: PaymentJson };

/**
 * POST /v1/payments/{id}/refunds against the Stripe sandbox, counted there through the official
 * SDK: a partial refund, its retry with the same Idempotency-Key (one refund at Stripe), more than
 * is left refused with nothing written, the rest, then nothing left.
 */
describe.each(testDatabaseKinds)('refunds through the API at Stripe (%s)', (kind) => {
  let kit: ChangeKit | undefined;
  afterEach(async () => {
    await kit?.recur.close();
    kit = undefined;
  });

  const refund = (payment: PaymentJson, body: unknown, key?: string) =>
    fetch(`${kit!.recur.baseUrl}/v1/payments/${payment.id}/refunds`, {
      method: 'POST',
      headers: { authorization: kit!.recur.t.auth, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });
  const stripeRefunds = async (payment: PaymentJson) => (await kit!.recur.kit.stripe.refunds.list({ payment_intent: payment.provider_payment_id, limit: 100 })).data;
  const refundRows = async () => (await kit!.recur.t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM refunds')).rows[0]!.n;

  it('refunds part, once per Idempotency-Key, refuses more than is left, then refunds the rest', async () => {
    kit = await startChangeKit(kind);
    const payment = await buyPrepaidWithStripe(kit, 'shop-7001', 2);
    expect(payment).toMatchObject({ provider: 'stripe', amount: { amount_minor: 5998, currency: 'EUR' }, status: 'succeeded', refunds: [] });

    const first = await refund(payment, { amount: { amount_minor: 1000, currency: 'EUR' }, reason: 'Goodwill: late parcel' }, 'refund-7001-a');
    expect(first.status).toBe(201);
    const partial = (await first.json()) as Refunded;
    expect(partial.refund).toMatchObject({ status: 'succeeded', amount: { amount_minor: 1000, currency: 'EUR' }, reason: 'Goodwill: late parcel', actor: expect.stringMatching(/^api_key:/) });
    expect(partial.payment).toMatchObject({ status: 'partially_refunded', amount_refunded: { amount_minor: 1000, currency: 'EUR' } });
    const atStripe = await stripeRefunds(payment);
    expect(atStripe.map((r) => [r.id, r.amount, r.status, r.metadata?.recur_refund_id])).toEqual([[partial.refund.provider_refund_id, 1000, 'succeeded', partial.refund.id]]);

    // The same request again (a client's retry): the same refund, nothing more at Stripe.
    const retry = await refund(payment, { amount: { amount_minor: 1000, currency: 'EUR' }, reason: 'Goodwill: late parcel' }, 'refund-7001-a');
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect(((await retry.json()) as Refunded).refund.id).toBe(partial.refund.id);
    expect(await stripeRefunds(payment)).toHaveLength(1);

    // More than is left, or in another currency: refused before Stripe is asked, nothing written.
    const rows = await refundRows();
    const tooMuch = await refund(payment, { amount: { amount_minor: 4999, currency: 'EUR' }, reason: 'too much' });
    expect(tooMuch.status).toBe(400);
    expect(((await tooMuch.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('at most 4998 EUR minor units are left') });
    const otherCurrency = await refund(payment, { amount: { amount_minor: 100, currency: 'USD' }, reason: 'wrong currency' });
    expect(otherCurrency.status).toBe(400);
    const noReason = await refund(payment, { amount: { amount_minor: 100, currency: 'EUR' }, reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(await refundRows()).toBe(rows);
    expect(await stripeRefunds(payment)).toHaveLength(1);

    // The rest (no amount): the payment is refunded in full.
    const rest = await refund(payment, { reason: 'Customer withdrew' });
    expect(rest.status).toBe(201);
    const full = (await rest.json()) as Refunded;
    expect(full.refund).toMatchObject({ status: 'succeeded', amount: { amount_minor: 4998, currency: 'EUR' } });
    expect(full.payment).toMatchObject({ status: 'refunded', amount_refunded: { amount_minor: 5998, currency: 'EUR' } });
    expect((await stripeRefunds(payment)).map((r) => r.amount).sort()).toEqual([1000, 4998]);
    const nothingLeft = await refund(payment, { reason: 'once more' });
    expect(nothingLeft.status).toBe(409);
    expect(await stripeRefunds(payment)).toHaveLength(2);

    // The payment shows its refunds; the audit log says who asked and what the provider answered.
    const listed = await onlyPayment(kit, 'shop-7001');
    expect(listed.refunds.map((r) => [r.amount.amount_minor, r.status])).toEqual([[1000, 'succeeded'], [4998, 'succeeded']]);
    const actions = (await listAuditEntries(kit.recur.t.ctx.db, 'payment', payment.id)).filter((entry) => entry.actor.startsWith('api_key:')).map((entry) => entry.action);
    expect(actions.filter((action) => action.startsWith('refund'))).toEqual(['refund_requested', 'refunded', 'refund_requested', 'refunded']);
  }, 180_000);

  it('keeps a refund Stripe failed to answer pending, holding its amount back, and settles it once later', async () => {
    kit = await startChangeKit(kind);
    const payment = await buyPrepaidWithStripe(kit, 'shop-7002', 1);
    const faults = (requests: unknown[]) => fetch(`${kit!.recur.kit.sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });
    expect((await faults([{ provider: 'stripe', route: 'POST /v1/refunds', errorRate: 1 }])).ok).toBe(true);
    const failed = await refund(payment, { amount: { amount_minor: 1000, currency: 'EUR' }, reason: 'Goodwill' });
    expect(failed.status).toBe(502);
    expect(await stripeRefunds(payment)).toEqual([]);
    const row = await kit.recur.t.ctx.db.query<{ status: string }>('SELECT status FROM refunds');
    expect(row.rows).toEqual([{ status: 'pending' }]);
    // The pending 1000 is held back: only 1999 is left to ask for meanwhile.
    const meanwhile = await refund(payment, { amount: { amount_minor: 2000, currency: 'EUR' }, reason: 'too much while pending' });
    expect(meanwhile.status).toBe(400);

    expect((await faults([])).ok).toBe(true);
    await kit.advance({ seconds: 120 });
    expect(await settlePendingRefunds(kit.recur.t.ctx)).toEqual({ asked: 1, failed: 0 });
    expect(await settlePendingRefunds(kit.recur.t.ctx)).toEqual({ asked: 0, failed: 0 });
    expect((await stripeRefunds(payment)).map((r) => r.amount)).toEqual([1000]);
    const listed = await onlyPayment(kit, 'shop-7002');
    expect(listed).toMatchObject({ status: 'partially_refunded', amount_refunded: { amount_minor: 1000 } });
    expect(listed.refunds.map((r) => r.status)).toEqual(['succeeded']);
  }, 180_000);

  it('answers 404 for an unknown payment and 401 without an API key', async () => {
    kit = await startChangeKit(kind);
    const unknown = { id: '00000000-0000-4000-8000-000000000000' } as PaymentJson;
    expect((await refund(unknown, { reason: 'x' })).status).toBe(404);
    const anonymous = await fetch(`${kit.recur.baseUrl}/v1/payments/${unknown.id}/refunds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'x' }) });
    expect(anonymous.status).toBe(401);
  }, 180_000);
});
