import type { RecoveredEventSubject } from '../../providers/payments/stripe/stripe-recovered-event-subject.ts';
import type { BroughtUpToDate } from './reconcile-subscriptions.ts';

/**
 * Whether a recovered event can be stored already done instead of left for the worker, and why.
 * Only for an event that existed before the run read its object (every recovered event did: see
 * readEventsBeforeThePass), and only when applying it could change nothing:
 * - recur has no use for its type: the worker would mark it ignored with this very reason;
 * - its whole effect is recording one subscription, which this run recorded from a later read,
 *   and recur's row still holds what the run left (`currentVersions`, read in the transaction
 *   that stores the event): applying it would re-read Stripe and write the same state.
 * Anything else (a payment, charge, dispute, checkout session, an invoice's payment, a
 * subscription the run did not record or a webhook wrote since) is the worker's.
 */
export function settleRecoveredEvent(
  runId: string,
  type: string,
  subject: RecoveredEventSubject,
  upToDate: BroughtUpToDate,
  currentVersions: ReadonlyMap<string, number>,
): { reason: string } | null {
  if (subject.kind === 'unused') return { reason: `recur does not use ${type}` };
  if (subject.kind !== 'subscription') return null;
  const left = upToDate.get(subject.subscriptionId);
  if (!left || currentVersions.get(subject.subscriptionId) !== left.getTime()) return null;
  return { reason: `reconciliation run ${runId} recorded subscription ${subject.subscriptionId} from a read made after this event` };
}
