import { markNoticeSent, releaseNotice, type ClaimedNotice } from '../db/repositories/notification-delivery-repository.ts';
import { findNoticeRecipient } from '../db/repositories/notice-schedule-repository.ts';
import { renderClaimedNotice } from './render-claimed-notice.ts';
import { timeZoneOf, type DeliveryContext } from './send-claimed-notice.ts';

/** Sends that began before the crash are searched this long before the claim (clock skew between us and the provider). */
const SEARCH_SKEW_MS = 60_000;

/**
 * A row left in 'sending' by a worker that stopped: was it sent? Twilio can be asked (a message to
 * this number with exactly this body since the claim); SendGrid cannot, but its Event Webhook
 * carries the row's id and marks the row sent when it arrives, which it normally does within the
 * lease. What is still unknown after that goes back to the queue and is sent again.
 */
export async function recoverLapsedNotice(ctx: DeliveryContext, notice: ClaimedNotice): Promise<'found-sent' | 'released' | 'unknown' | 'claim-lost'> {
  const now = ctx.clock.now();
  const claim = { id: notice.id, claimToken: notice.claimToken, now };
  if (notice.channel === 'sms' && ctx.messaging.sms) {
    try {
      const recipient = notice.customerId ? await findNoticeRecipient(ctx.db, notice.customerId) : null;
      const rendered = renderClaimedNotice(ctx, notice, timeZoneOf(ctx, recipient));
      if (rendered.channel === 'sms') {
        const since = new Date(notice.claimedAt.getTime() - SEARCH_SKEW_MS);
        const sid = await ctx.messaging.sms.findSent(notice.recipient, rendered.body, since);
        if (sid) return (await markNoticeSent(ctx.db, { ...claim, providerMessageId: sid })) ? 'found-sent' : 'claim-lost';
      }
    } catch {
      // Unknown whether it went out, and the provider cannot tell us now: it stays claimed, and a pass after the new lease asks again.
      return 'unknown';
    }
  }
  return (await releaseNotice(ctx.db, { ...claim, dueAt: now, error: 'the worker sending it stopped; not found at the provider', countAttempt: true })) ? 'released' : 'claim-lost';
}
