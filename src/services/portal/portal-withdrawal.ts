import { listPaymentsOfSubscription } from '../../db/repositories/payment-repository.ts';
import { listRefundsOfPayments } from '../../db/repositories/refund-repository.ts';
import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { findWithdrawal, type WithdrawalRecord } from '../../db/repositories/withdrawal-repository.ts';
import type { ServiceContext } from '../service-context.ts';
import { isWithinWithdrawalPeriod } from '../../domain/withdrawal.ts';
import { withdrawalPeriodEndOf } from '../withdrawals/withdrawal-period.ts';
import { plannedWithdrawalRefunds, withdrawalPolicyOf, withdrawSubscription, type WithdrawOutcome } from '../withdrawals/withdraw-subscription.ts';
import { findPortalSubscription, portalActor } from './portal-subscriptions.ts';
import type { PortalViewer } from './read-portal-session.ts';

const RUNNING: ReadonlySet<string> = new Set(['trialing', 'active', 'past_due', 'incomplete', 'paused']);

/** Whether the customer may still withdraw from the subscription: it runs, and its withdrawal period (in `timeZone`) has not ended. */
export const canWithdraw = (subscription: SubscriptionRecord, timeZone: string, now: Date): boolean => RUNNING.has(subscription.status) && isWithinWithdrawalPeriod(subscription.signedUpAt, timeZone, now);

/** `periodEnd`: the first instant after the withdrawal period. */
export type WithdrawalOffer = { subscription: SubscriptionRecord; open: boolean; periodEnd: Date; refundMinor: number; currency: string };

/** What the confirmation page states: until when withdrawing is possible, and what the shop's policy would refund now. */
export async function readWithdrawalOffer(ctx: ServiceContext, viewer: PortalViewer, subscriptionId: string): Promise<WithdrawalOffer> {
  const subscription = await findPortalSubscription(ctx, viewer, subscriptionId);
  const now = ctx.clock.now();
  const payments = await listPaymentsOfSubscription(ctx.db, subscription.id);
  const refunds = plannedWithdrawalRefunds(withdrawalPolicyOf(ctx), subscription, payments, now);
  const plan = ctx.config.catalogue.plans.find((candidate) => candidate.id === subscription.planId);
  const timeZone = viewer.customer.timeZone ?? ctx.config.DEFAULT_TIME_ZONE;
  return {
    subscription,
    open: canWithdraw(subscription, timeZone, now),
    periodEnd: withdrawalPeriodEndOf(subscription, timeZone),
    refundMinor: refunds.reduce((sum, refund) => sum + refund.amountMinor, 0),
    currency: payments[0]?.currency ?? plan?.currency ?? 'EUR',
  };
}

/** The customer withdraws, through the same service as every other caller, as `portal:{external id}`. */
export async function withdrawFromPortal(ctx: ServiceContext, viewer: PortalViewer, subscriptionId: string): Promise<WithdrawOutcome> {
  const subscription = await findPortalSubscription(ctx, viewer, subscriptionId);
  return withdrawSubscription(ctx, subscription.id, portalActor(viewer));
}

/** A withdrawal made, with what its refunds gave back so far; null when the subscription was not withdrawn. */
export async function readPortalWithdrawal(ctx: ServiceContext, viewer: PortalViewer, subscriptionId: string): Promise<{ subscription: SubscriptionRecord; withdrawal: WithdrawalRecord; refundedMinor: number; currency: string } | null> {
  const subscription = await findPortalSubscription(ctx, viewer, subscriptionId);
  const withdrawal = await findWithdrawal(ctx.db, subscription.id);
  if (!withdrawal) return null;
  const payments = await listPaymentsOfSubscription(ctx.db, subscription.id);
  const refunds = [...(await listRefundsOfPayments(ctx.db, payments.map((payment) => payment.id))).values()].flat();
  const ours = refunds.filter((refund) => refund.requestKey.startsWith(`withdrawal:${subscription.id}:`) && refund.status !== 'failed');
  const plan = ctx.config.catalogue.plans.find((candidate) => candidate.id === subscription.planId);
  return { subscription, withdrawal, refundedMinor: ours.reduce((sum, refund) => sum + refund.amountMinor, 0), currency: payments[0]?.currency ?? plan?.currency ?? 'EUR' };
}
