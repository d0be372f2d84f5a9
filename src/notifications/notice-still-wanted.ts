import type { SubscriptionRecord } from '../db/repositories/subscription-repository.ts';

export type StillWanted = { wanted: true } | { wanted: false; reason: string };

// A renewal waiting for authentication keeps the subscription past due until it is paid.
const DUNNING = new Set(['payment-action-required', 'dunning-reminder', 'dunning-final-warning']);
const TRIAL = new Set(['trial-reminder', 'trial-ending']);

const sameInstant = (stored: unknown, current: Date | null): boolean =>
  typeof stored === 'string' && current !== null && new Date(stored).getTime() === current.getTime();

/**
 * The last look before a notice about a subscription goes out: a reminder of a charge that will
 * no longer happen, or a dunning mail after the invoice was paid, is not sent. Confirmations and
 * receipts state what happened and are always wanted.
 */
export function noticeStillWanted(template: string, payload: unknown, subscription: Pick<SubscriptionRecord, 'status' | 'trialEnd' | 'currentPeriodEnd' | 'cancelAtPeriodEnd'> | null, now?: Date): StillWanted {
  const facts = (payload ?? {}) as { trial_end?: unknown; next_charge_at?: unknown; expires_at?: unknown };
  // A portal link that would arrive dead (the outbox waited past its hour) is not worth sending.
  if (template === 'portal-link' && now && typeof facts.expires_at === 'string' && Date.parse(facts.expires_at) <= now.getTime()) return { wanted: false, reason: 'the portal link has expired' };
  if (TRIAL.has(template)) {
    if (!subscription || subscription.status !== 'trialing') return { wanted: false, reason: 'the trial is over' };
    if (subscription.cancelAtPeriodEnd) return { wanted: false, reason: 'the subscription ends with the trial' };
    if (!sameInstant(facts.trial_end, subscription.trialEnd)) return { wanted: false, reason: 'the trial end has changed' };
  }
  if (template === 'renewal-reminder') {
    if (!subscription || subscription.status !== 'active' || subscription.cancelAtPeriodEnd) return { wanted: false, reason: 'the subscription will not renew' };
    if (!sameInstant(facts.next_charge_at, subscription.currentPeriodEnd)) return { wanted: false, reason: 'the renewal date has changed' };
  }
  if (DUNNING.has(template) && subscription?.status !== 'past_due') return { wanted: false, reason: 'the subscription is no longer past due' };
  if ((template === 'payment-failed' || template === 'direct-debit-returned') && subscription?.status === 'canceled') return { wanted: false, reason: 'the subscription is canceled' };
  return { wanted: true };
}
