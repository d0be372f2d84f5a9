import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { enqueueAdminAlert } from '../../db/repositories/notification-outbox-repository.ts';
import { findSubscription, upsertSubscriptionState } from '../../db/repositories/subscription-repository.ts';
import type { RunScope } from './run-scope.ts';
import { lockStoredSubscription } from './stored-subscriptions.ts';
import { recordSubscriptionEvents } from '../../outgoing-events/record-subscription-events.ts';
import { entitlementPolicyOf } from '../entitlement/entitlement-policy.ts';

export const MISSING_AT_PROVIDER_TEMPLATE = 'admin-alert-missing-at-provider';

/**
 * The provider status recur writes on a row it ended because the provider does not have the
 * subscription. No Stripe status reads like it, so a run skips such a row, and the first state
 * Stripe answers again (the subscription listed once more) replaces it as ordinary drift.
 */
export const MISSING_AT_PROVIDER_STATUS = 'missing_at_provider';

const ONE_MS = 1;

/**
 * A subscription recur holds and Stripe does not (asked by id after the list left it out): nobody
 * pays for it, so it must not entitle anyone. The row is ended (canceled, not set to renew), with
 * an audit entry and one admin alert, all in one transaction; the customer is not told (the
 * subscription was never theirs at Stripe, or a person must look first). Once per row: the ended
 * row carries MISSING_AT_PROVIDER_STATUS and later runs pass it by.
 */
export async function endMissingSubscription(scope: RunScope, row: { id: string; providerSubscriptionId: string }): Promise<void> {
  const adminEmails = scope.ctx.config.ADMIN_EMAILS ?? [];
  await scope.ctx.db.transaction(async (tx) => {
    const now = scope.ctx.clock.now();
    const locked = await lockStoredSubscription(tx, row.id);
    if (!locked || locked.providerStatus === MISSING_AT_PROVIDER_STATUS) return;
    const ended = {
      customerId: locked.customerId,
      provider: scope.provider.id,
      providerSubscriptionId: row.providerSubscriptionId,
      planId: locked.planId,
      status: 'canceled' as const,
      providerStatus: MISSING_AT_PROVIDER_STATUS,
      signedUpAt: locked.signedUpAt,
      trialEnd: locked.trialEnd,
      currentPeriodStart: locked.currentPeriodStart,
      currentPeriodEnd: locked.currentPeriodEnd,
      cancelAtPeriodEnd: false,
      canceledAt: locked.canceledAt ?? now,
      pastDueSince: null,
      // Just past the stored version, as a repair: any later event about it still applies.
      providerUpdatedAt: new Date(locked.providerUpdatedAt.getTime() + ONE_MS),
    };
    await upsertSubscriptionState(tx, ended, now);
    await recordSubscriptionEvents(tx, { before: locked, after: (await findSubscription(tx, locked.id))!, plans: scope.ctx.config.catalogue.plans }, { now, entitlementPolicy: entitlementPolicyOf(scope.ctx.config) });
    const reason = `missing_at_provider: ${scope.provider.name} does not have subscription ${row.providerSubscriptionId} (reconciliation run ${scope.runId})`;
    await recordAudit(tx, { at: now, actor: scope.actor, entity: 'subscription', entityId: locked.id, action: 'end', before: locked, after: ended, reason });
    await enqueueAdminAlert(tx, {
      businessKey: `alert:missing-at-provider:${scope.provider.id}:${row.providerSubscriptionId}:${locked.providerUpdatedAt.toISOString()}`,
      template: MISSING_AT_PROVIDER_TEMPLATE,
      payload: { provider: scope.provider.id, provider_subscription_id: row.providerSubscriptionId, subscription_id: locked.id, customer_id: locked.customerExternalId, previous_status: locked.status, run_id: scope.runId },
      adminEmails,
      locale: scope.ctx.config.DEFAULT_LOCALE,
      now,
    });
    await scope.record(tx, {
      kind: 'missing_at_provider',
      providerObjectId: row.providerSubscriptionId,
      recurId: locked.id,
      found: { [`at_${scope.provider.id}`]: null, recur_status: locked.status },
      action: adminEmails.length > 0 ? 'ended in recur (no entitlement); admins alerted' : 'ended in recur (no entitlement); alert in the audit log (no ADMIN_EMAILS)',
    });
  });
}
