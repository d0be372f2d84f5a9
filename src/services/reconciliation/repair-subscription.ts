import { mapProviderStatus, type SubscriptionStatus } from '../../domain/subscription-status.ts';
import { planForPrice } from '../sync/plan-for-price.ts';
import { recordProviderSubscription } from '../sync/record-provider-subscription.ts';
import { resolveProviderCustomer } from '../sync/resolve-provider-customer.ts';
import type { ListedSubscription } from '../../providers/payments/reconciliation-operations.ts';
import { compareSubscription, type StoredSubscription } from './compare-subscription.ts';
import { lockStoredSubscription } from './stored-subscriptions.ts';
import type { RunScope } from './run-scope.ts';
import { entitlementPolicyOf } from '../entitlement/entitlement-policy.ts';

const ONE_MS = 1;

/** A past-due subscription is read by id for its failure's date, which a list page does not carry. */
const isPastDue = (scope: RunScope, status: string): boolean => {
  const mapped = mapProviderStatus(scope.provider.id, status);
  return mapped.ok && mapped.status === 'past_due';
};

/** The provider's word in recur's terms; null when recur cannot map it. */
const statusOf = (scope: RunScope, status: string): SubscriptionStatus | null => {
  const mapped = mapProviderStatus(scope.provider.id, status);
  return mapped.ok ? mapped.status : null;
};

/**
 * One Stripe subscription against recur's row: recorded when recur lacks it, repaired from
 * Stripe when it is stale (past_due_since too, against Stripe's fact of the failure). Both go
 * through recordProviderSubscription, the guarded write the webhooks use, with the run as the
 * audit actor.
 *
 * The version of a repair is the stored row's version plus one millisecond, not a time from
 * either clock: it is just enough to pass the guard against the row it was compared with, and
 * Stripe's events carry whole seconds, so every event later than the stored one still wins
 * afterwards. The repair re-reads the subscription (drifted ones only) and locks the row; a row
 * that changed since the comparison was written by a webhook meanwhile and is left alone.
 *
 * Answers the version recur's row holds once it equals what this run read from Stripe (already
 * equal, recorded or repaired), or null when the run left it otherwise (not a plan, customer
 * unknown, a webhook wrote it meanwhile): then events about it are the worker's to apply.
 */
export async function reconcileSubscription(scope: RunScope, listed: ListedSubscription, stored: StoredSubscription | null): Promise<Date | null> {
  const plans = scope.ctx.config.catalogue.plans;
  const plan = planForPrice(plans, { lookupKey: listed.priceLookupKey, priceId: listed.priceId });
  if (!plan) {
    // Not one of recur's plans: reported only when recur has no row of it either.
    if (!stored) await scope.record(scope.ctx.db, { kind: 'not_recorded', providerObjectId: listed.id, recurId: null, found: { price: listed.priceId, status: listed.status }, action: 'left alone: its price is not a catalogue plan' });
    return null;
  }
  if (!stored) return recordMissing(scope, listed);
  // A list page carries no past-due fact, so a past-due subscription is read by id to compare it.
  if (compareSubscription(stored, listed, plan.id, statusOf(scope, listed.status), scope.ctx.clock.now()).length === 0 && !isPastDue(scope, listed.status)) return stored.providerUpdatedAt;
  const fresh = await scope.gateway.retrieveSubscription(listed.id);
  return scope.ctx.db.transaction(async (tx): Promise<Date | null> => {
    const now = scope.ctx.clock.now();
    const locked = await lockStoredSubscription(tx, stored.id);
    const truth = fresh ?? listed;
    const truthPlan = planForPrice(plans, { lookupKey: truth.priceLookupKey, priceId: truth.priceId });
    if (!locked || !truthPlan) return null;
    const drift = compareSubscription(locked, truth, truthPlan.id, statusOf(scope, truth.status), now);
    const unchanged = locked.providerUpdatedAt.getTime() === stored.providerUpdatedAt.getTime();
    if (drift.length === 0) return unchanged ? locked.providerUpdatedAt : null;
    if (!unchanged) {
      for (const item of drift) await scope.record(tx, { kind: item.kind, providerObjectId: listed.id, recurId: stored.id, found: item, action: 'left alone: a webhook recorded a newer state during the run' });
      return null;
    }
    const recorded = await recordProviderSubscription(tx, {
      provider: scope.provider.id,
      customerId: locked.customerId,
      subscription: truth,
      version: new Date(locked.providerUpdatedAt.getTime() + ONE_MS),
      plans,
      entitlementPolicy: entitlementPolicyOf(scope.ctx.config),
      now,
      actor: scope.actor,
    });
    const action = recorded.outcome === 'updated' ? `repaired from ${scope.provider.name}` : `not repaired (${recorded.outcome === 'not_recorded' ? recorded.reason : recorded.outcome})`;
    for (const item of drift) await scope.record(tx, { kind: item.kind, providerObjectId: listed.id, recurId: stored.id, found: item, action });
    return recorded.outcome === 'updated' ? new Date(locked.providerUpdatedAt.getTime() + ONE_MS) : null;
  });
}

/**
 * A subscription recur never heard of (its webhooks were lost). It is versioned a millisecond
 * before Stripe's `created`: older than every event about it, so each of them still applies.
 */
async function recordMissing(scope: RunScope, listed: ListedSubscription): Promise<Date | null> {
  // A past-due one is read by id for its failure's date, which a list page does not carry.
  const fresh = isPastDue(scope, listed.status) ? await scope.gateway.retrieveSubscription(listed.id) : null;
  const truth = fresh ? { ...listed, ...fresh } : listed;
  return scope.ctx.db.transaction(async (tx): Promise<Date | null> => {
    const now = scope.ctx.clock.now();
    const customerId = await resolveProviderCustomer(
      tx,
      { provider: scope.provider.id, providerCustomerId: listed.providerCustomerId, metadataCustomerId: listed.metadata['recur_customer_id'] ?? null, details: listed.customer ? { email: listed.customer.email, name: listed.customer.name } : null },
      { now, actor: scope.actor, defaultLocale: scope.ctx.config.DEFAULT_LOCALE },
    );
    const found = { status: listed.status, customer: listed.providerCustomerId };
    if (!customerId) {
      await scope.record(tx, { kind: 'not_recorded', providerObjectId: listed.id, recurId: null, found, action: `left alone: its ${scope.provider.name} customer is deleted and unknown to recur` });
      return null;
    }
    const version = new Date(listed.created.getTime() - ONE_MS);
    const recorded = await recordProviderSubscription(tx, {
      provider: scope.provider.id,
      customerId,
      subscription: truth,
      version,
      plans: scope.ctx.config.catalogue.plans,
      entitlementPolicy: entitlementPolicyOf(scope.ctx.config),
      now,
      actor: scope.actor,
    });
    if (recorded.outcome === 'inserted') await scope.record(tx, { kind: 'missing_locally', providerObjectId: listed.id, recurId: recorded.subscriptionId, found, action: `recorded from ${scope.provider.name}` });
    if (recorded.outcome === 'not_recorded') await scope.record(tx, { kind: 'not_recorded', providerObjectId: listed.id, recurId: null, found, action: `left alone: ${recorded.reason}` });
    // 'stale': a webhook recorded it first, from a read this run cannot date.
    return recorded.outcome === 'inserted' ? version : null;
  });
}
