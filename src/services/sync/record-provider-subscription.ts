import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findSubscription, recordSubscriptionMandate, upsertSubscriptionState, type SubscriptionState } from '../../db/repositories/subscription-repository.ts';
import type { EntitlementPolicy } from '../../domain/entitlement.ts';
import { decidePastDueSince } from '../../domain/past-due-since.ts';
import type { Plan } from '../../domain/plan.ts';
import { withScheduledCancel } from '../../domain/scheduled-cancel.ts';
import type { ProviderId } from '../../domain/provider.ts';
import { mapProviderStatus, type SubscriptionStatus } from '../../domain/subscription-status.ts';
import { notifySubscriptionChange } from '../../notifications/subscription-notice-hooks.ts';
import { recordSubscriptionEvents } from '../../outgoing-events/record-subscription-events.ts';
import type { ProviderSubscription } from '../../providers/payments/provider-objects.ts';
import type { Actor } from '../service-context.ts';
import { planForPrice } from './plan-for-price.ts';
import { lockCustomerForWrite } from '../../db/repositories/customer-repository.ts';

export type RecordSubscriptionInput = {
  provider: ProviderId;
  customerId: string;
  subscription: ProviderSubscription;
  /**
   * The provider's time of this state: the event's `created` for webhooks. An equal or older
   * version than the stored one changes nothing (the repository's guard). Only a version: no date
   * of a fact is taken from it (past_due_since comes from the subscription's own fact).
   */
  version: Date;
  plans: readonly Plan[];
  /** The rule the entitlement API answers with, for `entitlement.changed`. */
  entitlementPolicy: EntitlementPolicy;
  now: Date;
  actor: Actor;
  /**
   * The SEPA mandate the provider's answer names for its debits (the checkout that set it up, or
   * the debit read with it); kept before the notices are written, which state it.
   */
  mandateReference?: string | null;
};

export type RecordSubscriptionOutcome =
  | { outcome: 'inserted' | 'updated' | 'stale'; subscriptionId: string }
  | { outcome: 'not_recorded'; reason: string };

/**
 * Writes what the provider says about one subscription, with the version guard, an audit entry
 * and the customer notices (enrolment, cancellation, dunning stopped) and outgoing events the
 * change calls for when it changed anything. Used by the checkout redirect, the event processor,
 * subscription changes and reconciliation alike.
 */
export async function recordProviderSubscription(tx: Queryable, input: RecordSubscriptionInput): Promise<RecordSubscriptionOutcome> {
  const { subscription } = input;
  const plan = planForPrice(input.plans, { lookupKey: subscription.priceLookupKey, priceId: subscription.priceId });
  if (!plan) return { outcome: 'not_recorded', reason: `price ${subscription.priceId ?? '(none)'} of subscription ${subscription.id} is not a catalogue plan` };
  const mapped = mapProviderStatus(input.provider, subscription.status);
  if (!mapped.ok) return { outcome: 'not_recorded', reason: `unknown ${input.provider} status "${subscription.status}"` };
  await lockCustomerForWrite(tx, input.customerId);

  const before = await tx.query<{
    id: string;
    status: SubscriptionStatus;
    cancel_at_period_end: boolean;
    past_due_since: Date | null;
    provider_updated_at: Date;
    recur_cancel_at: Date | null;
    recur_cancel_requested_at: Date | null;
  }>('SELECT * FROM subscriptions WHERE provider = $1 AND provider_subscription_id = $2 FOR UPDATE', [input.provider, subscription.id]);
  const existing = before.rows[0];
  const existingRecord = existing ? await findSubscription(tx, existing.id) : null;
  // recur's own cancel at period end (a provider that cancels only at once) is not the provider's to undo.
  const held = existing?.recur_cancel_at && existing.recur_cancel_requested_at ? { at: existing.recur_cancel_at, requestedAt: existing.recur_cancel_requested_at } : null;
  const { status, facts: ending } = withScheduledCancel(
    { trialEnd: subscription.trialEnd, cancelAtPeriodEnd: subscription.cancelAtPeriodEnd, canceledAt: subscription.canceledAt, currentPeriodEnd: subscription.currentPeriodEnd },
    mapped.status,
    held,
    { now: input.now, statusBefore: existing?.status ?? null },
  );
  const pastDueSince = decidePastDueSince({
    status,
    previous: existing ? { status: existing.status, pastDueSince: existing.past_due_since } : null,
    fact: subscription.pastDueSince,
    periodStart: subscription.currentPeriodStart,
  });
  const state: SubscriptionState = {
    customerId: input.customerId,
    provider: input.provider,
    providerSubscriptionId: subscription.id,
    planId: plan.id,
    status,
    // The provider's own word even while recur shows a subscription it ended running to its paid end.
    providerStatus: subscription.status,
    signedUpAt: subscription.signedUpAt,
    trialEnd: ending.trialEnd,
    currentPeriodStart: subscription.currentPeriodStart,
    currentPeriodEnd: ending.currentPeriodEnd,
    cancelAtPeriodEnd: ending.cancelAtPeriodEnd,
    canceledAt: ending.canceledAt,
    pastDueSince,
    providerUpdatedAt: input.version,
  };
  const result = await upsertSubscriptionState(tx, state, input.now);
  // The mandate the answer names (the checkout's, a debit's), else what the subscription's payment method says.
  const mandate = input.mandateReference ?? subscription.mandateReference;
  if (result.outcome === 'stale') {
    // No row was there to lock, yet the insert met one: a concurrent writer (the checkout return
    // and this subscription's first webhook, say) inserted it since, with a newer or equal version.
    const id = existing?.id ?? (await tx.query<{ id: string }>('SELECT id FROM subscriptions WHERE provider = $1 AND provider_subscription_id = $2', [input.provider, subscription.id])).rows[0]?.id;
    if (!id) throw new Error(`subscription ${subscription.id} was neither written nor found`);
    if (mandate !== undefined) await recordSubscriptionMandate(tx, id, mandate, input.now);
    return { outcome: 'stale', subscriptionId: id };
  }
  if (mandate !== undefined) await recordSubscriptionMandate(tx, result.subscriptionId, mandate, input.now);
  await recordAudit(tx, {
    at: input.now,
    actor: input.actor,
    entity: 'subscription',
    entityId: result.subscriptionId,
    action: result.outcome === 'inserted' ? 'create' : 'sync',
    before: existing ?? null,
    after: state,
  });
  const recorded = await findSubscription(tx, result.subscriptionId);
  const previous = existing ? { status: existing.status, cancelAtPeriodEnd: existing.cancel_at_period_end } : null;
  await notifySubscriptionChange(tx, { before: previous, subscription: recorded!, plans: input.plans, now: input.now });
  await recordSubscriptionEvents(tx, { before: existingRecord, after: recorded!, plans: input.plans }, { now: input.now, entitlementPolicy: input.entitlementPolicy });
  return result;
}
