import type { Database } from '../db/database.ts';
import type { Clock } from '../shared/clock.ts';
import { toStorableText } from '../shared/storable-text.ts';
import { computeRetryDelayMs } from './compute-retry-delay.ts';
import type { InboxEvent, PreparedEvent, ProcessingOutcome } from './inbox-event.ts';
import { recordDeadLetterAlert } from './record-dead-letter-alert.ts';
import { markInboxEventDead, markInboxEventDone, markInboxEventFailed } from './settle-inbox-event.ts';
import type { WebhookContext } from './webhook-context.ts';

export type WorkerDeps = {
  db: Database;
  clock: Clock;
  webhooks: Pick<WebhookContext, 'processors' | 'maxAttempts' | 'adminEmails' | 'claimLeaseMs' | 'workerDb'>;
  locale: 'nl' | 'en';
  random?: () => number;
};

/** What became of one claimed event. 'lost-claim': the lease lapsed and another worker owns it now. */
export type EventResult = 'processed' | 'ignored' | 'failed' | 'dead' | 'lost-claim';

export class LostClaim extends Error {}

/** The processor's first step for one event; absent, the registered processor's (or none). */
export type Prepare = (event: InboxEvent) => Promise<PreparedEvent>;

/**
 * The processor's network step runs outside any transaction; its `apply` and the row's mark run
 * in one, so an event's effects and its "done" commit together or not at all.
 */
export async function processInboxEvent(deps: WorkerDeps, event: InboxEvent, prepare?: Prepare): Promise<EventResult> {
  const processor = prepare ?? deps.webhooks.processors[event.provider];
  try {
    const prepared = processor ? await processor(event) : null;
    return await againIfDeadlocked(() =>
      deps.db.transaction(async (tx) => {
        const outcome: ProcessingOutcome = prepared ? await prepared.apply(tx) : { outcome: 'ignored', reason: `no event processor is registered for ${event.provider}` };
        if (!(await markInboxEventDone(tx, { id: event.id, attempt: event.attempt }, outcome, deps.clock.now()))) throw new LostClaim();
        return outcome.outcome === 'applied' ? 'processed' : 'ignored';
      }),
    );
  } catch (error) {
    if (error instanceof LostClaim) return 'lost-claim';
    return recordFailure(deps, event, error);
  }
}

// PostgreSQL's deadlock victim and serialization failure: the transaction was rolled back whole and
// may simply run again (concurrent object groups of one customer lock its row for its events).
const RETRYABLE_AT_ONCE = new Set(['40P01', '40001']);
const TRIES_AT_ONCE = 3;

/** Runs a transaction again, at once, when PostgreSQL chose it as a deadlock's victim (up to TRIES_AT_ONCE). */
export async function againIfDeadlocked<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= TRIES_AT_ONCE || typeof code !== 'string' || !RETRYABLE_AT_ONCE.has(code)) throw error;
    }
  }
}

async function recordFailure(deps: WorkerDeps, event: InboxEvent, error: unknown): Promise<EventResult> {
  // The message only: a stack or an error object could carry the payload into the table. Made
  // storable: a message quoting a U+0000 from the payload would fail this very write, and the
  // event would be claimed again and again, never reaching 'dead'.
  const message = toStorableText((error instanceof Error ? error.message : String(error)).slice(0, 2000)) || 'failed without a message';
  const now = deps.clock.now();
  const claim = { id: event.id, attempt: event.attempt };
  if (event.attempt >= deps.webhooks.maxAttempts) {
    return deps.db.transaction(async (tx) => {
      if (!(await markInboxEventDead(tx, claim, message))) return 'lost-claim';
      await recordDeadLetterAlert(tx, event, { message, now, adminEmails: deps.webhooks.adminEmails, locale: deps.locale });
      return 'dead';
    });
  }
  const nextAttemptAt = new Date(now.getTime() + computeRetryDelayMs(event.attempt, deps.random ?? Math.random));
  return (await markInboxEventFailed(deps.db, claim, message, nextAttemptAt)) ? 'failed' : 'lost-claim';
}
