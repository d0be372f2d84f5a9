import { INBOX_BATCH_SIZE, processInboxBatch } from './process-inbox-batch.ts';
import type { WorkerDeps } from './process-inbox-event.ts';

/** One pass: how many events it claimed, and whether it stopped on its budget with rows perhaps still due. */
export type DrainPass = { claimed: number; more: boolean };

/**
 * Works batches until the inbox has nothing due, up to a number of batches and a time budget (work
 * time, not business time) so one pass never runs unbounded. A pass that stops on its budget says
 * so (`more`): its caller runs the next one (the in-process worker at once, the job through a
 * queued continuation), so a backlog drains without waiting for a new webhook or the schedule.
 */
export async function drainInboxPass(deps: WorkerDeps, maxBatches = 50, budgetMs = 45_000, stopping: () => boolean = () => false): Promise<DrainPass> {
  let total = 0;
  const startedAt = performance.now();
  for (let batch = 0; batch < maxBatches; batch++) {
    // Between batches only: a batch's claims are worked to the end (or left to their lease).
    if (performance.now() - startedAt >= budgetMs || stopping()) return { claimed: total, more: true };
    const report = await processInboxBatch(deps);
    total += report.claimed;
    if (report.claimed < INBOX_BATCH_SIZE) return { claimed: total, more: false };
  }
  return { claimed: total, more: true };
}

/** One pass; the number of events it claimed. */
export async function drainInbox(deps: WorkerDeps, maxBatches = 50, budgetMs = 45_000): Promise<number> {
  return (await drainInboxPass(deps, maxBatches, budgetMs)).claimed;
}
