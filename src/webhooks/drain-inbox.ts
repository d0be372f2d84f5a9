import { INBOX_BATCH_SIZE, processInboxBatch } from './process-inbox-batch.ts';
import type { WorkerDeps } from './process-inbox-event.ts';

/**
 * Works batches until the inbox has nothing due, up to a number of batches and a time budget (work
 * time, not business time) so one job never runs unbounded; the next run continues.
 */
export async function drainInbox(deps: WorkerDeps, maxBatches = 50, budgetMs = 45_000): Promise<number> {
  let total = 0;
  const startedAt = performance.now();
  for (let batch = 0; batch < maxBatches && performance.now() - startedAt < budgetMs; batch++) {
    const report = await processInboxBatch(deps);
    total += report.claimed;
    if (report.claimed < INBOX_BATCH_SIZE) break;
  }
  return total;
}
