import type { Queryable } from '../db/database.ts';
import { recordOutgoingEvent } from '../db/repositories/outgoing-event-repository.ts';
import type { SubscriptionRecord } from '../db/repositories/subscription-repository.ts';
import type { Plan } from '../domain/plan.ts';
import type { ProviderId } from '../domain/provider.ts';

// PayPal reports a declined renewal only on the subscription (failed payments counted): no payment
// exists for recur to record, so `payment.failed`, which Stripe's failed invoice gives, is decided
// from the subscription's first decline instead (as the payment-failed notice is).
const FAILURES_ONLY_ON_THE_SUBSCRIPTION: ReadonlySet<ProviderId> = new Set(['paypal']);

/**
 * `payment.failed` for a provider that records no declined payment, once per incident (its retries
 * leave past_due_since where it is). The payment object has no id of recur's or the provider's: it
 * is the renewal's amount that was asked and declined.
 */
export async function recordSubscriptionPaymentFailure(tx: Queryable, change: { before: SubscriptionRecord | null; after: SubscriptionRecord; plans: readonly Plan[] }, now: Date): Promise<void> {
  const { before, after } = change;
  const since = after.pastDueSince;
  if (!FAILURES_ONLY_ON_THE_SUBSCRIPTION.has(after.provider) || after.status !== 'past_due' || !since || before?.status === 'past_due') return;
  const plan = change.plans.find((candidate) => candidate.id === after.planId);
  if (!plan) return;
  await recordOutgoingEvent(tx, {
    type: 'payment.failed',
    customerId: after.customerId,
    businessKey: `payment.failed:${after.id}:${since.toISOString()}`,
    data: {
      id: null,
      customer: after.customerExternalId,
      subscription_id: after.id,
      provider: after.provider,
      provider_payment_id: null,
      kind: 'subscription',
      amount_minor: plan.amountMinor,
      currency: plan.currency,
      amount_refunded_minor: 0,
      status: 'failed',
      method_summary: null,
      invoiced_at: since.toISOString(),
      created_at: since.toISOString(),
      updated_at: since.toISOString(),
    },
    occurredAt: since,
    now,
  });
}
