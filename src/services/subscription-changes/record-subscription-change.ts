import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findSubscription, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { lockSubscriptionVersion } from '../../db/repositories/subscription-version-repository.ts';
import type { ProviderSubscriptionChange } from '../../providers/payments/subscription-change-operations.ts';
import type { PaymentProvider } from '../../providers/payments/payment-provider.ts';
import { RecurError } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { recordProviderSubscription } from '../sync/record-provider-subscription.ts';
import { entitlementPolicyOf } from '../entitlement/entitlement-policy.ts';
import { lockCustomerForWrite } from '../../db/repositories/customer-repository.ts';

export type SubscriptionChangeRecord = {
  /** The provider that answered the change. */
  provider: PaymentProvider;
  customerId: string;
  change: ProviderSubscriptionChange;
  action: string;
  details: Record<string, unknown>;
};

const SECOND_MS = 1000;

/**
 * The version of the immediate write (null: leave the newer row alone). Just below Stripe's own
 * time T of the change, so the webhook event of this very change (created at T, in whole
 * seconds) is newer and still applies, while every event created before T is older and cannot
 * undo it. When recur already holds an event of that same second T, seconds cannot order them:
 * recur's answer, the state right after its own change, goes in one millisecond above it. A
 * version past that second means a later event was recorded first; it stays. Without T in the
 * answer (undoing a pending cancel), one millisecond above what recur holds.
 */
export function versionOfChange(changedAt: Date | null, held: Date | null): Date | null {
  const heldMs = held?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (!changedAt) return new Date((held?.getTime() ?? 0) + 1);
  const below = changedAt.getTime() - 1;
  if (heldMs < below) return new Date(below);
  if (heldMs < changedAt.getTime() + SECOND_MS - 1) return new Date(heldMs + 1);
  return null;
}

/**
 * Writes what the provider answered to recur's row in one transaction, through the same guarded write
 * the webhooks use, with an audit entry naming the caller. A webhook processed in the meantime
 * may already hold a newer state: then the guard keeps it, and the answer is that row.
 */
export async function recordSubscriptionChange(ctx: ServiceContext, input: SubscriptionChangeRecord, actor: Actor): Promise<SubscriptionRecord> {
  const now = ctx.clock.now();
  const subscriptionId = await ctx.db.transaction(async (tx: Queryable) => {
    await lockCustomerForWrite(tx, input.customerId);
    const heldVersion = await lockSubscriptionVersion(tx, input.provider.id, input.change.subscription.id);
    // A later event already recorded: passing the held version lets the guard keep that row.
    const version = versionOfChange(input.change.changedAt, heldVersion) ?? heldVersion!;
    const recorded = await recordProviderSubscription(tx, {
      provider: input.provider.id,
      customerId: input.customerId,
      subscription: input.change.subscription,
      version,
      plans: ctx.config.catalogue.plans,
      entitlementPolicy: entitlementPolicyOf(ctx.config),
      now,
      actor,
    });
    if (recorded.outcome === 'not_recorded') throw new RecurError('provider_failure', `${input.provider.name} answered a subscription recur cannot record: ${recorded.reason}`);
    await recordAudit(tx, {
      at: now,
      actor,
      entity: 'subscription',
      entityId: recorded.subscriptionId,
      action: input.action,
      before: null,
      after: { ...input.details, providerSubscriptionId: input.change.subscription.id, invoice: input.change.invoice },
      reason: recorded.outcome === 'stale' ? 'a webhook recorded a newer state first' : null,
    });
    return recorded.subscriptionId;
  });
  return (await findSubscription(ctx.db, subscriptionId))!;
}
