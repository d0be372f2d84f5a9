import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { lockCustomerForWrite } from '../../db/repositories/customer-repository.ts';
import { findListedPayment, type ListedPayment } from '../../db/repositories/payment-repository.ts';
import { findRefundByRequestKey, insertPendingRefund, settleRefund, sumPendingRefunds, type RefundRecord } from '../../db/repositories/refund-repository.ts';
import type { ProviderRefund } from '../../providers/payments/risk-operations.ts';
import { conflict, notFound, RecurError, validationFailed } from '../../shared/errors.ts';
import { entitlementPolicyOf } from '../entitlement/entitlement-policy.ts';
import { requirePaymentProvider, type ConfiguredProvider } from '../require-payment-provider.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { recordProviderPayment } from '../sync/record-provider-payment.ts';
import { refundableAmount } from './refundable-amount.ts';
import { refundStatusOf } from './refund-status.ts';

export type RefundPaymentInput = {
  paymentId: string;
  /** Absent: all that is left. */
  amountMinor?: number | undefined;
  /** When given, it must be the payment's (an amount in another currency is a mistake, not a conversion). */
  currency?: string | undefined;
  reason: string;
  /**
   * The business key of this one request (an API Idempotency-Key's work key, the admin form's
   * nonce, a withdrawal's subscription): asking again with it answers the same refund.
   */
  requestKey: string;
};

export type RefundResult = { refund: RefundRecord; payment: ListedPayment };

/** How long a second request for a refund another request is still asking the provider for waits for that answer. */
const IN_FLIGHT_WAIT_MS = 10_000;

/**
 * Refunds all or part of a payment at its provider, once per request key. The row is written first
 * (what is left to refund is decided under the payment's lock, pending refunds counted), then the
 * provider is asked with an idempotency key made from the row's id, then its answer (the refund's
 * status and id, the payment read back) is recorded with an audit entry. A refusal marks the row
 * failed and is thrown; a failure that may pass (network, 5xx) leaves it pending, and asking again
 * with the same key asks the provider again with the same idempotency key: one refund either way.
 */
export async function refundPayment(ctx: ServiceContext, input: RefundPaymentInput, actor: Actor): Promise<RefundResult> {
  const reason = input.reason.trim();
  if (!reason) throw validationFailed('reason: say why the payment is refunded');
  if (input.amountMinor !== undefined && (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0)) throw validationFailed('amount: expected a positive whole number of minor units');
  const { refund, payment, inserted } = await claimRefund(ctx, { ...input, reason }, actor);
  if (refund.paymentId !== input.paymentId) throw conflict(`the key of this refund was used for a refund of another payment (${refund.paymentId})`);
  if (!inserted && input.amountMinor !== undefined && input.amountMinor !== refund.amountMinor) throw conflict(`the key of this refund was used for a refund of ${refund.amountMinor} minor units, not ${input.amountMinor}`);
  if (refund.status !== 'pending') return { refund, payment };
  if (!inserted) {
    const settled = await waitForSettled(ctx, refund);
    if (settled) return { refund: settled, payment: (await findListedPayment(ctx.db, payment.id)) ?? payment };
  }
  return askProvider(ctx, refund, payment, actor);
}

/**
 * Asks the provider for a pending refund, with the idempotency key of its row, and records the
 * answer: a retry, a second process or the settling job never makes a second refund.
 */
export async function askProvider(ctx: ServiceContext, refund: RefundRecord, payment: ListedPayment, actor: Actor): Promise<RefundResult> {
  const provider = requirePaymentProvider(ctx, refund.provider);
  let answer: ProviderRefund;
  try {
    answer = await provider.gateway.refundPayment(payment.providerPaymentId, { amountMinor: refund.amountMinor, currency: refund.currency, refundId: refund.id }, `recur:refund:${refund.id}`);
  } catch (error) {
    if (error instanceof RecurError && !error.retryable) await recordRefusal(ctx, refund, payment, error, actor);
    throw error;
  }
  return recordAnswer(ctx, provider, refund, payment, answer, actor);
}

async function claimRefund(ctx: ServiceContext, input: RefundPaymentInput, actor: Actor): Promise<{ refund: RefundRecord; payment: ListedPayment; inserted: boolean }> {
  const unlocked = await findListedPayment(ctx.db, input.paymentId);
  if (!unlocked) throw notFound('payment', input.paymentId);
  const claimed = await ctx.db.transaction(async (tx) => {
    const earlier = await findRefundByRequestKey(tx, input.requestKey);
    if (earlier) return { refund: earlier, payment: unlocked, inserted: false };
    // The customer first, as every writer of a customer's rows does (no deadlock with a webhook's write).
    await lockCustomerForWrite(tx, unlocked.customerId);
    const payment = (await findListedPayment(tx, input.paymentId, { forUpdate: true }))!;
    if (input.currency !== undefined && input.currency !== payment.currency) throw validationFailed(`amount.currency: the payment is in ${payment.currency}, not ${input.currency}`);
    const left = refundableAmount(payment, await sumPendingRefunds(tx, payment.id));
    if (left === 0) throw conflict(`payment "${payment.id}" has nothing left to refund (it is ${payment.status.replace('_', ' ')}, ${payment.amountRefundedMinor} of ${payment.amountMinor} ${payment.currency} refunded)`);
    const amountMinor = input.amountMinor ?? left;
    if (amountMinor > left) throw validationFailed(`amount: at most ${left} ${payment.currency} minor units are left to refund of payment "${payment.id}", not ${amountMinor}`);
    const now = ctx.clock.now();
    const refund = await insertPendingRefund(tx, { paymentId: payment.id, requestKey: input.requestKey, provider: payment.provider, amountMinor, currency: payment.currency, reason: input.reason, actor }, now);
    // Another request with this key inserted first (the unique index waited for it): answer with its row.
    if (!refund) return null;
    await recordAudit(tx, { at: now, actor, entity: 'payment', entityId: payment.id, action: 'refund_requested', before: null, after: { refundId: refund.id, amountMinor, currency: payment.currency }, reason: input.reason });
    return { refund, payment, inserted: true };
  });
  if (claimed) return claimed;
  const refund = await findRefundByRequestKey(ctx.db, input.requestKey);
  if (!refund) throw conflict('a refund with this key was asked for at the same moment; ask again');
  return { refund, payment: unlocked, inserted: false };
}

/** A second request for a refund the first is still asking for (a double click) waits for that answer instead of asking alongside it. */
async function waitForSettled(ctx: ServiceContext, refund: RefundRecord): Promise<RefundRecord | null> {
  const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
  while (Date.now() < deadline) {
    const current = await findRefundByRequestKey(ctx.db, refund.requestKey);
    if (current && current.status !== 'pending') return current;
    // A row left pending long ago (its request died): nobody else is asking, so this one does.
    if (ctx.clock.now().getTime() - refund.createdAt.getTime() > IN_FLIGHT_WAIT_MS) return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

/** The provider's answer, and the payment as the provider holds it now, recorded with the audit entry in one transaction. */
export async function recordAnswer(ctx: ServiceContext, provider: ConfiguredProvider, refund: RefundRecord, payment: ListedPayment, answer: ProviderRefund, actor: Actor): Promise<RefundResult> {
  const read = await provider.gateway.retrievePayment(payment.providerPaymentId);
  const status = refundStatusOf(answer);
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    // A refund the provider still has pending, answered again, changes nothing (and is not audited again).
    const changes = status !== 'pending' || refund.providerRefundId !== answer.id;
    const settled = changes ? await settleRefund(tx, refund.id, { status, providerRefundId: answer.id, failure: status === 'failed' ? `${provider.name} answered ${answer.status}` : null }, now) : null;
    if (read) {
      // PayPal's read of a payment says it is partly refunded, not by how much; the refund states the total.
      const refundedToDate = answer.completed ? (answer.refundedToDateMinor ?? 0) : 0;
      await recordProviderPayment(tx, {
        provider: payment.provider,
        customerId: payment.customerId,
        subscriptionId: payment.subscriptionId,
        payment: { ...read, amountRefundedMinor: Math.min(read.amountMinor, Math.max(read.amountRefundedMinor, refundedToDate)) },
        version: now,
        plans: ctx.config.catalogue.plans,
        entitlementPolicy: entitlementPolicyOf(ctx.config),
        now,
        actor,
      });
    }
    if (settled) {
      await recordAudit(tx, {
        at: now,
        actor,
        entity: 'payment',
        entityId: payment.id,
        action: status === 'succeeded' ? 'refunded' : status === 'failed' ? 'refund_failed' : 'refund_pending',
        before: null,
        after: { refundId: refund.id, providerRefundId: answer.id, amountMinor: answer.amountMinor, currency: answer.currency, providerStatus: answer.status },
        reason: refund.reason,
      });
    }
    const current = (await findListedPayment(tx, payment.id)) ?? payment;
    return { refund: settled ?? (await findRefundByRequestKey(tx, refund.requestKey)) ?? refund, payment: current };
  });
}

async function recordRefusal(ctx: ServiceContext, refund: RefundRecord, payment: ListedPayment, error: RecurError, actor: Actor): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    if (!(await settleRefund(tx, refund.id, { status: 'failed', providerRefundId: null, failure: error.message }, now))) return;
    await recordAudit(tx, { at: now, actor, entity: 'payment', entityId: payment.id, action: 'refund_failed', before: null, after: { refundId: refund.id, amountMinor: refund.amountMinor, currency: refund.currency, error: error.message }, reason: refund.reason });
  });
}
