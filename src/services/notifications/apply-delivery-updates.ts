import { findDeliveryTarget, recordDeliveryStatus } from '../../db/repositories/delivery-status-repository.ts';
import { recordSmsOptOut } from '../../notifications/record-sms-opt-out.ts';
import type { DeliveryUpdate } from '../../providers/messaging/messaging.ts';
import { toStorableText } from '../../shared/storable-text.ts';
import type { ServiceContext } from '../service-context.ts';

/** How far along a message is; a callback never moves a row back (events arrive out of order and twice). */
const RANK: Record<DeliveryUpdate['outcome'], number> = { pending: 1, accepted: 1, delivered: 2, bounced: 3, failed: 3 };

const ROW_STATUS: Record<DeliveryUpdate['outcome'], string | null> = { pending: null, accepted: null, delivered: 'delivered', bounced: 'bounced', failed: 'failed' };

export type AppliedUpdates = { applied: number; unknown: number; ignored: number };

/** A callback naming a row (by its outbox id) that was sent as another message: not applied. */
export type MismatchedUpdate = { outboxId: string; channel: 'email' | 'sms' };

/**
 * Applies verified delivery callbacks to the outbox, in one transaction: the provider's word on
 * each message (delivered, bounced, failed), forward only, so a repeated or late callback changes
 * nothing. A row still 'sending' that the provider reports as accepted was sent (its worker may
 * have stopped before recording it). A Twilio opt-out withdraws the customer's SMS consent.
 *
 * The outbox id a callback carries only says which row to look at: once the row holds the
 * provider's message id, the callback must be about that message (same id, same channel), or it
 * is counted as ignored and reported back as mismatched, changing nothing. A row without one yet
 * (its send's answer was never recorded) takes the callback's id, as before.
 */
export async function applyDeliveryUpdates(ctx: Pick<ServiceContext, 'db' | 'clock'>, updates: readonly DeliveryUpdate[]): Promise<AppliedUpdates & { mismatched: MismatchedUpdate[] }> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const counts: AppliedUpdates = { applied: 0, unknown: 0, ignored: 0 };
    const mismatched: MismatchedUpdate[] = [];
    for (const update of updates.map(toStorableUpdate)) {
      const target = await findDeliveryTarget(tx, update);
      if (!target) {
        counts.unknown += 1;
        continue;
      }
      if (target.providerMessageId !== null && target.providerMessageId !== update.providerMessageId) {
        counts.ignored += 1;
        mismatched.push({ outboxId: target.id, channel: target.channel });
        continue;
      }
      // delivery_status holds the outcome (accepted, delivered, bounced, failed, pending); the provider's event name goes into the detail.
      const current = target.deliveryStatus as DeliveryUpdate['outcome'] | null;
      if (current && current in RANK && RANK[update.outcome] < RANK[current]) {
        counts.ignored += 1;
        continue;
      }
      const finalStatus = ROW_STATUS[update.outcome];
      // Accepted by the provider while still claimed, or after its claim was given up: it was sent, whatever the worker recorded.
      const status = finalStatus ?? (target.status === 'sending' || target.status === 'pending' ? 'sent' : null);
      await recordDeliveryStatus(tx, {
        id: target.id,
        status,
        deliveryStatus: update.outcome,
        detail: update.detail ? `${update.event}: ${update.detail}` : update.event,
        errorCode: update.outcome === 'failed' || update.outcome === 'bounced' ? update.detail : null,
        providerMessageId: update.providerMessageId,
        at: update.at,
        now,
      });
      if (update.optedOut && target.customerId) {
        await recordSmsOptOut(tx, { customerId: target.customerId, notificationId: target.id, reason: 'the SMS provider reported the number as unsubscribed (21610)', now });
      }
      counts.applied += 1;
    }
    return { ...counts, mismatched };
  });
}

/**
 * A signed callback's text as the database can hold it: one U+0000 in a bounce reason would fail
 * the whole batch, and the provider would post the same batch again and again.
 */
function toStorableUpdate(update: DeliveryUpdate): DeliveryUpdate {
  const text = (value: string | null): string | null => (value === null ? null : toStorableText(value));
  return { ...update, reference: text(update.reference), providerMessageId: text(update.providerMessageId), event: toStorableText(update.event), detail: text(update.detail) };
}
