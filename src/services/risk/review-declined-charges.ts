import { findProviderCustomerId } from '../../db/repositories/provider-customer-repository.ts';
import { enqueueAdminAlert } from '../../db/repositories/notification-outbox-repository.ts';
import { listSubscriptionsOfCustomer } from '../../db/repositories/subscription-repository.ts';
import type { ProviderCharge, RiskOperations } from '../../providers/payments/risk-operations.ts';
import type { ServiceContext } from '../service-context.ts';
import { cancelSubscriptionForRisk, isLive } from './cancel-subscription-for-risk.ts';
import { DECLINED_FAILURE_CODE } from './risk-jobs.ts';
import { runRiskStep } from './run-risk-step.ts';
import { findCustomerById } from '../../db/repositories/customer-repository.ts';
import { recordCustomerUpdated } from '../../outgoing-events/record-customer-event.ts';
import { entitlementPolicyOf } from '../entitlement/entitlement-policy.ts';

export const FRAUD_BAN_TEMPLATE = 'admin-alert-fraud-ban';
export const FRAUD_SUSPECT_TEMPLATE = 'admin-alert-fraud-suspect';
const DAY_MS = 86_400_000;
const ACTOR = 'risk:fraud';

export type DeclineReview =
  | { outcome: 'not_applicable'; reason: string }
  | { outcome: 'below_threshold'; declined: number }
  | { outcome: 'suspected'; declined: number }
  | { outcome: 'banned'; declined: number };

type Ctx = Pick<ServiceContext, 'db' | 'clock' | 'config' | 'payments'>;

/**
 * The fraud rule, run as a job after a declined charge: count the customer's `card_declined`
 * charges at Stripe in the window (all pages). At the threshold, a customer who never paid is
 * banned, their subscriptions canceled, their charges refunded per policy and the admins alerted,
 * each step once; a customer who has paid is only reported to the admins.
 */
export async function reviewDeclinedCharges(ctx: Ctx, customerId: string): Promise<DeclineReview> {
  const gateway = ctx.payments?.get('stripe')?.gateway;
  if (!gateway) return { outcome: 'not_applicable', reason: 'Stripe is not configured' };
  const providerCustomerId = await findProviderCustomerId(ctx.db, customerId, 'stripe');
  if (!providerCustomerId) return { outcome: 'not_applicable', reason: 'the customer has no Stripe customer' };

  const now = ctx.clock.now();
  const windowStart = new Date(now.getTime() - ctx.config.FRAUD_DECLINE_WINDOW_DAYS * DAY_MS);
  const charges = await gateway.listCustomerCharges(providerCustomerId, { createdSince: windowStart });
  const declined = charges.filter((charge) => charge.status === 'failed' && charge.failureCode === DECLINED_FAILURE_CODE).length;
  if (declined < ctx.config.FRAUD_DECLINE_THRESHOLD) return { outcome: 'below_threshold', declined };

  const alert = { adminEmails: ctx.config.ADMIN_EMAILS ?? [], locale: ctx.config.DEFAULT_LOCALE, now };
  const facts = { customer_id: customerId, provider_customer_id: providerCustomerId, declined, window_days: ctx.config.FRAUD_DECLINE_WINDOW_DAYS, threshold: ctx.config.FRAUD_DECLINE_THRESHOLD };
  if ((await hasPaid(ctx, customerId)) || charges.some((charge) => charge.status === 'succeeded')) {
    // A paying customer whose card is failing is not banned on a count; a person decides.
    const windowDay = windowStart.toISOString().slice(0, 10);
    await runRiskStep(ctx.db, now, {
      key: `fraud:suspect:${customerId}:${windowDay}`,
      customerId,
      actor: ACTOR,
      entity: 'customer',
      entityId: customerId,
      action: 'fraud_suspected',
      describe: () => facts,
      write: (tx) => enqueueAdminAlert(tx, { ...alert, businessKey: `alert:fraud-suspect:${customerId}:${windowDay}`, template: FRAUD_SUSPECT_TEMPLATE, payload: facts }).then(() => undefined),
    });
    return { outcome: 'suspected', declined };
  }

  const reason = `${declined} declined charges in ${ctx.config.FRAUD_DECLINE_WINDOW_DAYS} days and no successful payment`;
  await runRiskStep(ctx.db, now, {
    key: `fraud:ban:${customerId}`,
    customerId,
    actor: ACTOR,
    entity: 'customer',
    entityId: customerId,
    action: 'ban',
    reason,
    describe: () => ({ ...facts, banned: true }),
    write: async (tx) => {
      const before = await findCustomerById(tx, customerId, { forUpdate: true });
      // An admin's earlier ban keeps its reason and time.
      await tx.query(
        `UPDATE customers SET banned_reason = CASE WHEN banned THEN banned_reason ELSE $2 END, banned_at = CASE WHEN banned THEN banned_at ELSE $3 END,
           banned = true, updated_at = $3 WHERE id = $1`,
        [customerId, `fraud: ${reason}`, now],
      );
      if (before) await recordCustomerUpdated(tx, { before, after: (await findCustomerById(tx, customerId))! }, { now, entitlementPolicy: entitlementPolicyOf(ctx.config) });
    },
  });

  const step = { now, actor: ACTOR, reason };
  const subscriptions = (await listSubscriptionsOfCustomer(ctx.db, customerId)).filter(isLive);
  for (const subscription of subscriptions) await cancelSubscriptionForRisk(ctx, gateway, subscription, 'fraud', step);
  const refunds = ctx.config.FRAUD_REFUND_POLICY === 'all' ? await refundCharges(ctx, gateway, { customerId, providerCustomerId, now, reason }) : [];

  await runRiskStep(ctx.db, now, {
    key: `fraud:alert:${customerId}`,
    customerId,
    actor: ACTOR,
    entity: 'customer',
    entityId: customerId,
    action: 'fraud_alert',
    describe: () => ({ ...facts, canceled_subscriptions: subscriptions.map((s) => s.id), refund_policy: ctx.config.FRAUD_REFUND_POLICY, refunded_charges: refunds }),
    write: (tx) =>
      enqueueAdminAlert(tx, { ...alert, businessKey: `alert:fraud-ban:${customerId}`, template: FRAUD_BAN_TEMPLATE, payload: { ...facts, canceled_subscriptions: subscriptions.length, refunded_charges: refunds.length } }).then(() => undefined),
  });
  return { outcome: 'banned', declined };
}

async function hasPaid(ctx: Ctx, customerId: string): Promise<boolean> {
  const result = await ctx.db.query("SELECT 1 FROM payments WHERE customer_id = $1 AND status IN ('succeeded', 'partially_refunded', 'refunded', 'disputed') LIMIT 1", [customerId]);
  return result.rows.length > 0;
}

/** Every succeeded charge of the customer not yet fully refunded, over its whole history. */
async function refundCharges(ctx: Ctx, gateway: RiskOperations, input: { customerId: string; providerCustomerId: string; now: Date; reason: string }): Promise<string[]> {
  const all = await gateway.listCustomerCharges(input.providerCustomerId, { createdSince: new Date(0) });
  const refundable = all.filter((charge: ProviderCharge) => charge.status === 'succeeded' && charge.amountRefundedMinor < charge.amountMinor);
  for (const charge of refundable) {
    const key = `fraud:refund:${charge.id}`;
    await runRiskStep(ctx.db, input.now, {
      key,
      customerId: input.customerId,
      actor: ACTOR,
      entity: 'customer',
      entityId: input.customerId,
      action: 'fraud_refund',
      reason: input.reason,
      perform: () => gateway.refundCharge(charge.id, `recur:${key}`),
      describe: (refund) => ({ charge: charge.id, payment_intent: charge.paymentIntentId, refund: refund?.id ?? null, amount_minor: charge.amountMinor - charge.amountRefundedMinor, currency: charge.currency }),
    });
  }
  return refundable.map((charge) => charge.id);
}
