import { findDispute, setDisputePolicy, CLOSED_DISPUTE_STATUSES, type DisputeRecord } from '../../db/repositories/dispute-repository.ts';
import { enqueueAdminAlert } from '../../db/repositories/notification-outbox-repository.ts';
import { findSubscription, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { providerName } from '../../domain/provider.ts';
import type { RiskOperations } from '../../providers/payments/risk-operations.ts';
import { RecurError } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';
import { cancelSubscriptionForRisk, isLiveAt } from './cancel-subscription-for-risk.ts';
import { runRiskStep } from './run-risk-step.ts';

export const DISPUTE_ALERT_TEMPLATE = 'admin-alert-dispute';

type Ctx = Pick<ServiceContext, 'db' | 'clock' | 'config' | 'payments'>;

export type DisputePolicyOutcome = { outcome: 'not_applicable'; reason: string } | { outcome: 'applied'; policy: 'accept' | 'hold'; canceledSubscription: string | null };

/**
 * The dispute policy, run as a job after charge.dispute.created: accept the dispute at Stripe or
 * hold it open for evidence (DISPUTE_POLICY), cancel the subscription the disputed payment paid
 * for, mark the customer and alert the admins; each step once. `lastAttempt`: the payment's link
 * to its subscription comes with invoice.paid, which may be processed after the dispute; until the
 * last attempt an unlinked payment is retried rather than treated as a one-off payment.
 */
export async function applyDisputePolicy(ctx: Ctx, disputeId: string, options: { lastAttempt: boolean }): Promise<DisputePolicyOutcome> {
  const dispute = await findDispute(ctx.db, disputeId);
  if (!dispute) return { outcome: 'not_applicable', reason: `dispute ${disputeId} is not recorded` };
  // The provider the dispute was opened at closes it.
  const gateway = ctx.payments?.get(dispute.provider)?.gateway;
  if (!gateway) return { outcome: 'not_applicable', reason: `${providerName(dispute.provider)} is not configured` };
  const subscription = await subscriptionPaidBy(ctx, dispute);
  if (!subscription && !options.lastAttempt && (await isInvoicePaymentPending(ctx, dispute))) {
    throw new RecurError('conflict', `the payment of dispute ${dispute.providerDisputeId} is not linked to a subscription yet`);
  }

  const now = ctx.clock.now();
  const actor = `risk:dispute:${dispute.providerDisputeId}`;
  const policy = ctx.config.DISPUTE_POLICY;
  const base = { customerId: dispute.customerId, actor, entity: 'dispute', entityId: dispute.id };
  const facts = { dispute: dispute.providerDisputeId, charge: dispute.providerChargeId, amount_minor: dispute.amountMinor, currency: dispute.currency, reason: dispute.reason };
  if (policy === 'accept') await acceptDispute(ctx, gateway, dispute, { ...base, now });
  else {
    await runRiskStep(ctx.db, now, {
      ...base,
      key: `dispute:hold:${dispute.providerDisputeId}`,
      action: 'hold_for_evidence',
      describe: () => ({ ...facts, evidence_due_by: dispute.evidenceDueBy?.toISOString() ?? null }),
      write: (tx) => setDisputePolicy(tx, dispute.id, 'hold', now),
    });
  }

  const isLive = isLiveAt(dispute.provider);
  if (subscription && isLive(subscription)) {
    await cancelSubscriptionForRisk(ctx, gateway, subscription, 'dispute', { now, actor, reason: `payment disputed (${dispute.reason ?? 'no reason given'})` });
  }
  await runRiskStep(ctx.db, now, {
    ...base,
    key: `dispute:mark:${dispute.providerDisputeId}`,
    entity: 'customer',
    entityId: dispute.customerId,
    action: 'mark_disputed',
    describe: () => facts,
    write: async (tx) => {
      await tx.query('UPDATE customers SET disputed_at = $2, updated_at = $2 WHERE id = $1', [dispute.customerId, now]);
    },
  });
  await runRiskStep(ctx.db, now, {
    ...base,
    key: `dispute:alert:${dispute.providerDisputeId}`,
    action: 'dispute_alert',
    describe: () => ({ ...facts, policy, subscription: subscription?.id ?? null }),
    write: (tx) =>
      enqueueAdminAlert(tx, {
        businessKey: `alert:dispute:${dispute.providerDisputeId}`,
        template: DISPUTE_ALERT_TEMPLATE,
        payload: { ...facts, customer_id: dispute.customerId, policy, subscription_id: subscription?.id ?? null, evidence_due_by: dispute.evidenceDueBy?.toISOString() ?? null },
        adminEmails: ctx.config.ADMIN_EMAILS ?? [],
        locale: ctx.config.DEFAULT_LOCALE,
        now,
      }).then(() => undefined),
  });
  return { outcome: 'applied', policy, canceledSubscription: subscription && isLive(subscription) ? subscription.id : null };
}

async function acceptDispute(ctx: Ctx, gateway: RiskOperations, dispute: DisputeRecord, step: { customerId: string; actor: string; entity: string; entityId: string; now: Date }): Promise<void> {
  const key = `dispute:accept:${dispute.providerDisputeId}`;
  await runRiskStep(ctx.db, step.now, {
    ...step,
    key,
    action: 'accept',
    perform: async () => {
      // Stripe refuses to close a dispute that is already closed (won, lost, or an inquiry ended).
      const current = await gateway.retrieveDispute(dispute.providerDisputeId);
      if (current && CLOSED_DISPUTE_STATUSES.includes(current.status)) return current;
      return gateway.closeDispute(dispute.providerDisputeId, `recur:${key}`);
    },
    describe: (closed) => ({ dispute: dispute.providerDisputeId, provider_status: closed?.status ?? null }),
    write: (tx) => setDisputePolicy(tx, dispute.id, 'accept', step.now),
  });
}

async function subscriptionPaidBy(ctx: Ctx, dispute: DisputeRecord): Promise<SubscriptionRecord | null> {
  if (!dispute.paymentId) return null;
  const payment = await ctx.db.query<{ subscription_id: string | null }>('SELECT subscription_id FROM payments WHERE id = $1', [dispute.paymentId]);
  const subscriptionId = payment.rows[0]?.subscription_id;
  return subscriptionId ? findSubscription(ctx.db, subscriptionId) : null;
}

/**
 * A disputed payment not linked to a subscription yet, whose link may still come: the customer has
 * a live subscription (invoice.paid may come after the dispute), or no subscription recorded at
 * all (the subscription's own events may come after the dispute's). Only a customer whose
 * subscriptions all ended has a payment that is taken for a one-off at once.
 */
async function isInvoicePaymentPending(ctx: Ctx, dispute: DisputeRecord): Promise<boolean> {
  const result = await ctx.db.query<{ live: boolean | null }>("SELECT bool_or(status <> 'canceled') AS live FROM subscriptions WHERE customer_id = $1", [dispute.customerId]);
  const live = result.rows[0]?.live ?? null;
  return live !== false;
}
