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

/** One customer's live subscriptions: who they are, where, and the incident they make. */
export type SeveralLive = {
  /** The business key of the alert: one per set of subscriptions. */
  incident: string;
  /** recur's customer, when known. */
  customerId: string | null;
  /** The audit entry's entity id: recur's customer, else `<provider>:<provider customer>`. */
  entityId: string;
  /** Where the subscriptions live ("stripe", or "stripe + paypal" across providers). */
  providerLabel: string;
  /** Whose they are at the provider, or recur's customer across providers. */
  ownerLabel: string;
  subscriptions: readonly { id: string; status: string }[];
};

/**
 * More than one live subscription for one customer needs a person: which one to keep (and whether
 * to refund) is not recur's to decide, so nothing is canceled. One admin alert per incident (the
 * set of subscriptions is the business key), and a report item on every run while it lasts.
 */
export async function alertSeveralLive(scope: RunScope, tx: Queryable, found: SeveralLive): Promise<void> {
  const adminEmails = scope.ctx.config.ADMIN_EMAILS ?? [];
  const now = scope.ctx.clock.now();
  const seen = await tx.query("SELECT 1 FROM audit_log WHERE entity = 'customer' AND entity_id = $1 AND action = $2 AND reason = $3", [found.entityId, ALERT_ACTION, found.incident]);
  const isNew = seen.rows.length === 0;
  if (isNew) {
    await recordAudit(tx, { at: now, actor: scope.actor, entity: 'customer', entityId: found.entityId, action: ALERT_ACTION, before: null, after: { provider_customer: found.ownerLabel, subscriptions: found.subscriptions }, reason: found.incident });
    await enqueueAdminAlert(tx, {
      businessKey: found.incident,
      template: SEVERAL_LIVE_TEMPLATE,
      payload: { provider: found.providerLabel, provider_customer_id: found.ownerLabel, customer_id: found.customerId, subscriptions: found.subscriptions, run_id: scope.runId },
      adminEmails,
      locale: scope.ctx.config.DEFAULT_LOCALE,
      now,
    });
  }
  await scope.record(tx, {
    kind: 'several_live_subscriptions',
    providerObjectId: found.ownerLabel,
    recurId: found.customerId,
    found: { subscriptions: found.subscriptions },
    action: !isNew ? 'already alerted for this incident; nothing canceled' : adminEmails.length > 0 ? 'admins alerted; nothing canceled' : 'alert in the audit log (no ADMIN_EMAILS); nothing canceled',
  });
}

/** Several live subscriptions of one owner in the provider's own list (the run's provider). */
export async function flagSeveralLiveSubscriptions(scope: RunScope, providerCustomerId: string, subscriptions: readonly { id: string; status: string }[]): Promise<void> {
  const ids = subscriptions.map((subscription) => subscription.id).sort();
  await scope.ctx.db.transaction(async (tx) => {
    const customerId = scope.provider.capabilities.customerObject ? await findCustomerIdByProviderCustomer(tx, scope.provider.id, providerCustomerId) : await knownCustomer(tx, providerCustomerId);
    await alertSeveralLive(scope, tx, {
      incident: `alert:several-live-subscriptions:${scope.provider.id}:${providerCustomerId}:${ids.join(',')}`,
      customerId,
      entityId: customerId ?? `${scope.provider.id}:${providerCustomerId}`,
      providerLabel: scope.provider.id,
      ownerLabel: providerCustomerId,
      subscriptions,
    });
  });
}
