import type { BatchProcessor, InboxEvent, PreparedEvent, ProcessingOutcome } from './inbox-event.ts';
import { againIfDeadlocked, LostClaim, processInboxEvent, type EventResult, type WorkerDeps } from './process-inbox-event.ts';
import { markInboxEventsDone, type DoneMark } from './settle-inbox-event.ts';

/**
 * The events of one batch about one provider object, in arrival order. All are prepared (their
 * reads shared: the object is read once), then applied and marked done in ONE transaction: one
 * commit for the group instead of one per event, and the object's events land together, in order;
 * the group's marks are one statement.
 *
 * Any failure (a read, an apply, a claim another worker took over) rolls the group back and its
 * events are processed again one by one, each in its own transaction as before: only the event
 * that fails is retried, backed off or dead-lettered, and the others of its object still apply.
 */
export async function processObjectGroup(deps: WorkerDeps, batch: BatchProcessor, events: readonly InboxEvent[]): Promise<EventResult[]> {
  if (events.length > 1) {
    try {
      return await applyTogether(deps, batch, events);
    } catch {
      // Nothing of the group was committed; the one-by-one pass below records each event's fate.
    }
  }
  const results: EventResult[] = [];
  for (const event of events) results.push(await processInboxEvent(deps, event, batch.prepare));
  return results;
}

async function applyTogether(deps: WorkerDeps, batch: BatchProcessor, events: readonly InboxEvent[]): Promise<EventResult[]> {
  const prepared: PreparedEvent[] = [];
  for (const event of events) prepared.push(await batch.prepare(event));
  const applied = newestOfEachEffect(prepared);
  return againIfDeadlocked(() => deps.db.transaction(async (tx) => {
    const results: EventResult[] = [];
    const marks: DoneMark[] = [];
    const outcomes = new Map<string, ProcessingOutcome>();
    for (const [index, event] of events.entries()) {
      const effect = prepared[index]!.effect;
      let outcome: ProcessingOutcome;
      if (!effect) outcome = await prepared[index]!.apply(tx);
      else {
        // Arrival order, but a state is written once, by the event carrying its newest version.
        const chosen = applied.get(effect.key)!;
        outcome = outcomes.get(effect.key) ?? (await prepared[chosen]!.apply(tx));
        outcomes.set(effect.key, outcome);
        if (chosen !== index && outcome.outcome === 'applied') outcome = { outcome: 'applied', summary: `the same state as event ${events[chosen]!.providerEventId}, written once` };
      }
      marks.push({ claim: { id: event.id, attempt: event.attempt }, outcome });
      results.push(outcome.outcome === 'applied' ? 'processed' : 'ignored');
    }
    // The group's events are marked in one statement, in the transaction of their effects.
    if ((await markInboxEventsDone(tx, marks, deps.clock.now())).size !== marks.length) throw new LostClaim();
    return results;
  }));
}

/** Effect key -> the index of the prepared event with the newest version for it (the later one on a tie). */
function newestOfEachEffect(prepared: readonly PreparedEvent[]): Map<string, number> {
  const chosen = new Map<string, number>();
  for (const [index, event] of prepared.entries()) {
    if (!event.effect) continue;
    const current = chosen.get(event.effect.key);
    if (current === undefined || prepared[current]!.effect!.version <= event.effect.version) chosen.set(event.effect.key, index);
  }
  return chosen;
}
