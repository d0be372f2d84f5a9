import { claimDueInboxEvents } from './claim-due-inbox-events.ts';
import { processInboxEvent, type EventResult, type WorkerDeps } from './process-inbox-event.ts';

/** The default claim lease: long enough for a slow provider read plus the apply; a lapsed lease only means a retry. */
export const INBOX_LEASE_MS = 5 * 60 * 1000;
export const INBOX_BATCH_SIZE = 20;

export type BatchReport = Record<EventResult, number> & { claimed: number };

/** Claims one batch of due events and processes them one by one, in arrival order. */
export async function processInboxBatch(deps: WorkerDeps, options: { limit?: number } = {}): Promise<BatchReport> {
  const events = await claimDueInboxEvents(deps.db, { now: deps.clock.now(), leaseMs: deps.webhooks.claimLeaseMs ?? INBOX_LEASE_MS, limit: options.limit ?? INBOX_BATCH_SIZE });
  const report: BatchReport = { claimed: events.length, processed: 0, ignored: 0, failed: 0, dead: 0, 'lost-claim': 0 };
  for (const event of events) report[await processInboxEvent(deps, event)] += 1;
  return report;
}
