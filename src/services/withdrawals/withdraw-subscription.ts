import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { cancelPendingNotices } from '../../db/repositories/notification-outbox-repository.ts';
import { listPaymentsOfSubscription, type PaymentRecord } from '../../db/repositories/payment-repository.ts';
import { findRefundByRequestKey } from '../../db/repositories/refund-repository.ts';
import { findSubscription, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { findWithdrawal, insertWithdrawal, type WithdrawalRecord } from '../../db/repositories/withdrawal-repository.ts';
import { findCustomerById } from '../../db/repositories/customer-repository.ts';
import { withdrawalRefundOf, type WithdrawalRefundPolicy } from '../../domain/withdrawal.ts';
import { enqueueCustomerNotice } from '../../notifications/enqueue-customer-notice.ts';
import { notFound, RecurError } from '../../shared/errors.ts';
import { refundableAmount } from '../refunds/refundable-amount.ts';
import { refundPayment } from '../refunds/refund-payment.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { cancelSubscription } from '../subscription-changes/cancel-subscription.ts';
import { withdrawalPeriodEndOf } from './withdrawal-period.ts';

export type WithdrawOutcome =
  | { kind: 'withdrawn'; withdrawal: WithdrawalRecord; refundedMinor: number; currency: string }
  /** `periodEnd`: the first instant after the withdrawal period. */
  | { kind: 'too_late'; periodEnd: Date }
  | { kind: 'ended' };

const REASON = 'Withdrawal within 14 days of signing up (EU 2023/2673)';

export const withdrawalPolicyOf = (ctx: Pick<ServiceContext, 'config'>): WithdrawalRefundPolicy => ctx.config.catalogue.withdrawal?.refund ?? 'full';

const refundKeyOf = (subscription: SubscriptionRecord, payment: PaymentRecord) => `withdrawal:${subscription.id}:${payment.id}`;

/** What the policy gives back of each payment of the subscription if it were withdrawn at `at`. */
export function plannedWithdrawalRefunds(policy: WithdrawalRefundPolicy, subscription: SubscriptionRecord, payments: readonly PaymentRecord[], at: Date): { payment: PaymentRecord; amountMinor: number }[] {
  const period = { start: subscription.currentPeriodStart, end: subscription.currentPeriodEnd };
  return payments.map((payment) => ({ payment, amountMinor: withdrawalRefundOf(policy, { amountMinor: payment.amountMinor, leftMinor: refundableAmount(payment, 0) }, period, at) }));
}

/**
 * A withdrawal within 14 days of signing up: recorded once (its time is the one the acknowledgement
 * states), the subscription ended now at the provider, each payment refunded per the shop's policy
 * (one refund per payment, keyed by the withdrawal), and the acknowledgement e-mail written to the
 * outbox once. Each step is idempotent, so a second click, or a retry after a provider failed,
 * finishes what the first began and repeats nothing. After the 14 days nothing is done.
 */
export async function withdrawSubscription(ctx: ServiceContext, subscriptionId: string, actor: Actor): Promise<WithdrawOutcome> {
  // The provider's events about the cancel and the refunds are applied meanwhile; on PostgreSQL one
  // of two such transactions can be chosen as a deadlock's victim. Every step finds what an earlier
  // attempt did, so the withdrawal is simply taken again from the top.
  for (let attempt = 1; ; attempt++) {
    try {
      return await withdrawOnce(ctx, subscriptionId, actor);
    } catch (error) {
      if (attempt >= 3 || !RETRYABLE_AT_ONCE.has((error as { code?: string }).code ?? '')) throw error;
    }
  }
}

const RETRYABLE_AT_ONCE = new Set(['40P01', '40001']);

async function withdrawOnce(ctx: ServiceContext, subscriptionId: string, actor: Actor): Promise<WithdrawOutcome> {
  const subscription = await findSubscription(ctx.db, subscriptionId);
  if (!subscription) throw notFound('subscription', subscriptionId);
  const recorded = (await findWithdrawal(ctx.db, subscription.id)) ?? (await recordWithdrawal(ctx, subscription, actor));
  if ('kind' in recorded) return recorded;
  const record = recorded;

  if (subscription.status !== 'canceled') {
    try {
      await cancelSubscription(ctx, { subscriptionId: subscription.id, at: 'now' }, actor);
    } catch (error) {
      // Ended meanwhile (a retry after the cancel went through, or the provider's own event): nothing left to end.
      if (!(error instanceof RecurError && error.code === 'conflict' && (await findSubscription(ctx.db, subscription.id))?.status === 'canceled')) throw error;
    }
  }

  let refundedMinor = 0;
  const payments = await listPaymentsOfSubscription(ctx.db, subscription.id);
  for (const { payment, amountMinor } of plannedWithdrawalRefunds(record.refundPolicy, subscription, payments, record.withdrawnAt)) {
    const requestKey = refundKeyOf(subscription, payment);
    const earlier = await findRefundByRequestKey(ctx.db, requestKey);
    if (!earlier && amountMinor === 0) continue;
    const { refund } = await refundPayment(ctx, { paymentId: payment.id, amountMinor: earlier ? undefined : amountMinor, reason: REASON, requestKey }, actor);
    if (refund.status !== 'failed') refundedMinor += refund.amountMinor;
  }

  const plan = ctx.config.catalogue.plans.find((candidate) => candidate.id === subscription.planId);
  const currency = payments[0]?.currency ?? plan?.currency ?? 'EUR';
  await ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const ended = (await findSubscription(tx, subscription.id)) ?? subscription;
    await enqueueCustomerNotice(tx, {
      template: 'withdrawal-confirmation',
      businessKey: `withdrawal:${subscription.id}`,
      subscription: ended,
      plans: ctx.config.catalogue.plans,
      details: { withdrawn_at: record.withdrawnAt.toISOString(), refund_minor: refundedMinor, refund_currency: currency },
      now,
    });
    // The acknowledgement says the subscription ended; a second letter saying it was cancelled would only confuse.
    await cancelPendingNotices(tx, { subscriptionId: subscription.id, templates: ['cancellation-confirmation'], reason: 'the withdrawal acknowledgement says it', now });
  });
  return { kind: 'withdrawn', withdrawal: record, refundedMinor, currency };
}

async function recordWithdrawal(ctx: ServiceContext, subscription: SubscriptionRecord, actor: Actor): Promise<Exclude<WithdrawOutcome, { kind: 'withdrawn' }> | WithdrawalRecord> {
  const now = ctx.clock.now();
  const customer = await findCustomerById(ctx.db, subscription.customerId);
  const periodEnd = withdrawalPeriodEndOf(subscription, customer?.timeZone ?? ctx.config.DEFAULT_TIME_ZONE);
  if (now.getTime() >= periodEnd.getTime()) return { kind: 'too_late', periodEnd };
  if (subscription.status === 'canceled') return { kind: 'ended' };
  return ctx.db.transaction(async (tx) => {
    const inserted = await insertWithdrawal(tx, { subscriptionId: subscription.id, customerId: subscription.customerId, withdrawnAt: now, actor, refundPolicy: withdrawalPolicyOf(ctx) });
    if (!inserted) return (await findWithdrawal(tx, subscription.id))!;
    await recordAudit(tx, { at: now, actor, entity: 'subscription', entityId: subscription.id, action: 'withdrawn', before: { status: subscription.status }, after: { withdrawnAt: now.toISOString(), refundPolicy: inserted.refundPolicy }, reason: REASON });
    return inserted;
  });
}
