import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { enqueueAdminAlert } from '../../db/repositories/notification-outbox-repository.ts';
import { findCustomerIdByProviderCustomer } from '../../db/repositories/provider-customer-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import { mapProviderStatus } from '../../domain/subscription-status.ts';
import type { RunScope } from './run-scope.ts';

export const SEVERAL_LIVE_TEMPLATE = 'admin-alert-several-live-subscriptions';
const ALERT_ACTION = 'several_live_subscriptions_alert';

/** recur's statuses in which a subscription bills (or is about to): two of them for one customer is a double charge. */
const LIVE_STATUSES: ReadonlySet<string> = new Set(['trialing', 'active', 'past_due']);

/** Whether the provider's status word is a live one (mapped by the domain, as recur records it). */
export function isLive(provider: ProviderId, providerStatus: string): boolean {
  const mapped = mapProviderStatus(provider, providerStatus);
  return mapped.ok && LIVE_STATUSES.has(mapped.status);
}

/** For a provider without customer objects the owner is recur's own customer id (the subscriptions' custom_id). */
async function knownCustomer(tx: Queryable, id: string): Promise<string | null> {
  const found = await tx.query<{ id: string }>('SELECT id FROM customers WHERE id::text = $1', [id]);
  return found.rows[0]?.id ?? null;
}

/**
 * A customer with more than one live subscription at Stripe needs a person: which one to keep
 * (and whether to refund) is not recur's to decide, so nothing is canceled. One admin alert per
 * incident (the set of subscriptions is the business key), and a report item on every run while it lasts.
 */
export async function flagSeveralLiveSubscriptions(scope: RunScope, providerCustomerId: string, subscriptions: readonly { id: string; status: string }[]): Promise<void> {
  const ids = subscriptions.map((subscription) => subscription.id).sort();
  const incident = `alert:several-live-subscriptions:${scope.provider.id}:${providerCustomerId}:${ids.join(',')}`;
  const adminEmails = scope.ctx.config.ADMIN_EMAILS ?? [];
  await scope.ctx.db.transaction(async (tx) => {
    const now = scope.ctx.clock.now();
    const customerId = scope.provider.capabilities.customerObject ? await findCustomerIdByProviderCustomer(tx, scope.provider.id, providerCustomerId) : await knownCustomer(tx, providerCustomerId);
    const entityId = customerId ?? `${scope.provider.id}:${providerCustomerId}`;
    const seen = await tx.query("SELECT 1 FROM audit_log WHERE entity = 'customer' AND entity_id = $1 AND action = $2 AND reason = $3", [entityId, ALERT_ACTION, incident]);
    const isNew = seen.rows.length === 0;
    if (isNew) {
      await recordAudit(tx, { at: now, actor: scope.actor, entity: 'customer', entityId, action: ALERT_ACTION, before: null, after: { provider_customer: providerCustomerId, subscriptions }, reason: incident });
      await enqueueAdminAlert(tx, {
        businessKey: incident,
        template: SEVERAL_LIVE_TEMPLATE,
        payload: { provider: scope.provider.id, provider_customer_id: providerCustomerId, customer_id: customerId, subscriptions, run_id: scope.runId },
        adminEmails,
        locale: scope.ctx.config.DEFAULT_LOCALE,
        now,
      });
    }
    await scope.record(tx, {
      kind: 'several_live_subscriptions',
      providerObjectId: providerCustomerId,
      recurId: customerId,
      found: { subscriptions },
      action: !isNew ? 'already alerted for this incident; nothing canceled' : adminEmails.length > 0 ? 'admins alerted; nothing canceled' : 'alert in the audit log (no ADMIN_EMAILS); nothing canceled',
    });
  });
}
