import { randomUUID } from 'node:crypto';
import { claimDueNotices, claimLapsedNotices } from '../db/repositories/notification-delivery-repository.ts';
import { recoverLapsedNotice } from './recover-lapsed-notice.ts';
import { sendClaimedNotice, type DeliveryContext, type SendOutcome } from './send-claimed-notice.ts';

/** How long a worker holds a row while sending; the SendGrid request itself times out well before. */
export const NOTICE_CLAIM_LEASE_MS = 5 * 60 * 1000;
const BATCH_SIZE = 20;

export type DeliveryRunSummary = Record<SendOutcome | 'recovered', number>;

/**
 * One delivery pass: first the rows a stopped worker left in 'sending' (checked with the provider
 * before any second send), then every due row of the configured channels, a batch at a time,
 * until none is due or `maxRows` were handled. Any number of passes may run at once, in any
 * number of processes: each row is claimed by one of them.
 */
export async function deliverDueNotifications(ctx: DeliveryContext, options: { maxRows?: number } = {}): Promise<DeliveryRunSummary> {
  const summary: DeliveryRunSummary = { sent: 0, retry: 0, failed: 0, dead: 0, suppressed: 0, canceled: 0, deferred: 0, 'claim-lost': 0, recovered: 0 };
  const maxRows = options.maxRows ?? 500;
  const claimToken = randomUUID();

  const lapsed = await claimLapsedNotices(ctx.db, { claimToken, now: ctx.clock.now(), leaseMs: NOTICE_CLAIM_LEASE_MS, limit: BATCH_SIZE });
  for (const notice of lapsed) {
    if ((await recoverLapsedNotice(ctx, notice)) === 'found-sent') summary.recovered += 1;
  }

  const channels = [...(ctx.messaging.email ? (['email'] as const) : []), ...(ctx.messaging.sms ? (['sms'] as const) : [])];
  let handled = 0;
  while (handled < maxRows) {
    const batch = await claimDueNotices(ctx.db, { channels, limit: Math.min(BATCH_SIZE, maxRows - handled), claimToken: randomUUID(), now: ctx.clock.now(), leaseMs: NOTICE_CLAIM_LEASE_MS });
    if (batch.length === 0) break;
    for (const notice of batch) summary[await sendClaimedNotice(ctx, notice)] += 1;
    handled += batch.length;
  }
  return summary;
}
