import type { Queryable } from '../db/database.ts';
import { recordOutgoingEvent } from '../db/repositories/outgoing-event-repository.ts';
import { hasPaymentBefore } from '../db/repositories/payment-repository.ts';
import type { SubscriptionRecord } from '../db/repositories/subscription-repository.ts';
import type { Plan } from '../domain/plan.ts';
import { toSubscriptionObject } from '../presentation/subscription-object.ts';
import { decideSubscriptionEvents } from './decide-subscription-events.ts';
import type { OutgoingEventContext } from './event-context.ts';
import { nextDecisionNumber } from './number-decisions.ts';
import { recordEntitlementChange } from './record-entitlement-change.ts';
import { recordSubscriptionPaymentFailure } from './record-subscription-payment-failure.ts';

/**
 * Records, in the transaction of a subscription's change, the events it calls for (with the
 * subscription as the API shows it now; a declined renewal as `payment.failed` where the provider
 * records no payment for it), then the customer's entitlement if that moved. `before`:
 * the stored row before the change, null for a new one.
 */
export async function recordSubscriptionEvents(tx: Queryable, change: { before: SubscriptionRecord | null; after: SubscriptionRecord; plans: readonly Plan[] }, ctx: OutgoingEventContext): Promise<void> {
  const { after } = change;
  // Only a past-due subscription paying again needs its history: its first paid period, or a later one?
  const recovering = change.before?.status === 'past_due' && after.status === 'active';
  const paidBefore = recovering && after.currentPeriodStart ? await hasPaymentBefore(tx, after.id, after.currentPeriodStart) : true;
  const decisions = decideSubscriptionEvents(change.before, after, { paidBefore });
  const data = toSubscriptionObject(after);
  for (const decision of decisions) {
    const businessKey =
      'key' in decision ? decision.key : `${decision.numberedKeyPrefix}${await nextDecisionNumber(tx, { customerId: after.customerId, type: decision.type, keyPrefix: decision.numberedKeyPrefix })}`;
    await recordOutgoingEvent(tx, { type: decision.type, customerId: after.customerId, businessKey, data, occurredAt: decision.occurredAt, now: ctx.now });
  }
  await recordSubscriptionPaymentFailure(tx, change, ctx.now);
  const moved = decisions[decisions.length - 1]?.occurredAt ?? after.providerUpdatedAt;
  await recordEntitlementChange(tx, { customerId: after.customerId, occurredAt: moved }, ctx);
}
