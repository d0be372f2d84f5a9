/** What a provider's answer says of how a subscription ends. */
export type EndFacts = { cancelAtPeriodEnd: boolean; canceledAt: Date | null; currentPeriodEnd: Date | null };

/** A cancel at period end that recur keeps itself: the end of the paid period, and when it was asked for. */
export type HeldCancel = { at: Date; requestedAt: Date };

const latest = (a: Date | null, b: Date): Date => (a && a.getTime() > b.getTime() ? a : b);

/**
 * The provider's answer with recur's own cancel at period end laid over it, for a provider that
 * only cancels at once (PayPal). The provider knows nothing of the request, so a re-read (webhook,
 * reconciliation, the answer to a change) must not undo it: while the provider still runs the
 * subscription it is set to cancel at period end, asked at `requestedAt` (Stripe's canceled_at of
 * a pending cancel is the time of the request too). Once the provider says it is canceled (recur's
 * job cancelled it shortly before the next billing, or the payer did at PayPal), it ended at the end
 * of the period that was paid for, not at the provider's earlier moment: access lasts until then.
 */
export function withScheduledCancel<T extends EndFacts>(facts: T, canceled: boolean, held: HeldCancel | null): T {
  if (!held) return facts;
  if (!canceled) return { ...facts, cancelAtPeriodEnd: true, canceledAt: held.requestedAt };
  const end = latest(facts.canceledAt, held.at);
  return { ...facts, cancelAtPeriodEnd: true, canceledAt: end, currentPeriodEnd: end };
}
