import { forEachBounded } from '../shared/for-each-bounded.ts';
import { inLane } from '../shared/request-budget.ts';
import { claimDueInboxEvents } from './claim-due-inbox-events.ts';
import type { BatchProcessor, InboxEvent } from './inbox-event.ts';
import { processInboxEvent, type EventResult, type WorkerDeps } from './process-inbox-event.ts';
import { processObjectGroup } from './process-object-group.ts';
import { markInboxEventsDone } from './settle-inbox-event.ts';

/** The default claim lease: long enough for a slow provider read plus the apply; a lapsed lease only means a retry. */
export const INBOX_LEASE_MS = 5 * 60 * 1000;
export const INBOX_BATCH_SIZE = 500;
/**
 * Object groups read and applied at once. Enough to keep the provider's request rate busy at
 * 100-300 ms a call (Stripe live: 100 a second); the request budget, not this, sets the pace.
 */
export const GROUPS_IN_FLIGHT = 16;

export type BatchReport = Record<EventResult, number> & { claimed: number };

/** How a group is worked: by object (one read, one transaction), one by one, or marked ignored (no processor). */
type Group = { batch: BatchProcessor | null; unprocessed: boolean; stage: number; events: InboxEvent[] };

/**
 * Claims one batch of due events and processes it by provider object: the events about one object
 * in arrival order, in one group that reads the object once; up to GROUPS_IN_FLIGHT groups at once.
 * Events of a processor that cannot batch go one by one, in arrival order, in a group of their own.
 */
export async function processInboxBatch(deps: WorkerDeps, options: { limit?: number } = {}): Promise<BatchReport> {
  const worker: WorkerDeps = { ...deps, db: deps.webhooks.workerDb ?? deps.db };
  const events = await claimDueInboxEvents(worker.db, { now: worker.clock.now(), leaseMs: deps.webhooks.claimLeaseMs ?? INBOX_LEASE_MS, limit: options.limit ?? INBOX_BATCH_SIZE });
  const report: BatchReport = { claimed: events.length, processed: 0, ignored: 0, failed: 0, dead: 0, 'lost-claim': 0 };
  // The provider requests of the batch take their turns in the worker's lane of the request budget.
  await inLane('webhook-worker', async () => {
    for (const stage of inStages(groupByObject(worker, events))) {
      await forEachBounded(stage, GROUPS_IN_FLIGHT, async (group) => {
        const results = group.unprocessed ? await ignoreUnprocessed(worker, group.events) : group.batch ? await processObjectGroup(worker, group.batch, group.events) : await processOneByOne(worker, group.events);
        for (const result of results) report[result] += 1;
      });
    }
  });
  return report;
}

/** The groups by stage, lowest first; within a stage, in the order of their first event. */
function inStages(groups: readonly Group[]): Group[][] {
  const stages = [...new Set(groups.map((group) => group.stage))].sort((a, b) => a - b);
  return stages.map((stage) => groups.filter((group) => group.stage === stage));
}

function groupByObject(deps: WorkerDeps, events: readonly InboxEvent[]): Group[] {
  const batches = new Map<string, BatchProcessor | null>();
  const groups = new Map<string, Group>();
  for (const event of events) {
    let batch = batches.get(event.provider);
    if (batch === undefined) {
      batch = deps.webhooks.processors[event.provider]?.forBatch?.({ db: deps.db }) ?? null;
      batches.set(event.provider, batch);
    }
    const unprocessed = !deps.webhooks.processors[event.provider];
    const object = batch ? batch.objectOf(event) : null;
    const key = unprocessed ? `${event.provider} unprocessed` : !batch ? `${event.provider} one by one` : object ? `${event.provider} ${object}` : `${event.provider} event ${event.id}`;
    const group = groups.get(key) ?? { batch, unprocessed, stage: batch && object ? (batch.stageOf?.(object) ?? 0) : 0, events: [] };
    group.events.push(event);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Events no processor takes (a messaging provider's, or a payment provider's without its key): ignored in one statement. */
async function ignoreUnprocessed(deps: WorkerDeps, events: readonly InboxEvent[]): Promise<EventResult[]> {
  const marks = events.map((event) => ({ claim: { id: event.id, attempt: event.attempt }, outcome: { outcome: 'ignored' as const, reason: `no event processor is registered for ${event.provider}` } }));
  const marked = await markInboxEventsDone(deps.db, marks, deps.clock.now());
  return events.map((event) => (marked.has(event.id) ? 'ignored' : 'lost-claim'));
}

async function processOneByOne(deps: WorkerDeps, events: readonly InboxEvent[]): Promise<EventResult[]> {
  const results: EventResult[] = [];
  for (const event of events) results.push(await processInboxEvent(deps, event));
  return results;
}
