import type { Queryable } from '../db/database.ts';
import { inboxEventKey, insertInboxEvents, type NewInboxEvent } from '../db/repositories/webhook-inbox-repository.ts';

/** Rows per statement: large enough for any burst one process takes, small enough to keep a statement short. */
const MAX_ROWS = 200;

type Pending = { event: NewInboxEvent; receivedAt: Date; resolve(inserted: boolean): void; reject(error: unknown): void };

export type InboxInsertBatcher = {
  /** Resolves once the row is committed: true when new, false for a duplicate. Rejects when it could not be stored. */
  insert(event: NewInboxEvent, receivedAt: Date): Promise<boolean>;
};

/**
 * Group commit for the inbox: deliveries arriving while a statement is out (or in the same turn of
 * the event loop) go into the next one, a single multi-row INSERT that commits them together.
 * Each caller is answered only after the statement holding its row has committed. Up to
 * `maxInFlight` statements run at once (one on the embedded database's single session).
 */
export function createInboxInsertBatcher(db: Queryable, options: { maxInFlight: number }): InboxInsertBatcher {
  let queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled || queue.length === 0 || inFlight >= options.maxInFlight) return;
    scheduled = true;
    // One turn of the event loop: the deliveries parsed in this turn join the same statement.
    setImmediate(() => {
      scheduled = false;
      flush();
    });
  };

  const flush = () => {
    while (queue.length > 0 && inFlight < options.maxInFlight) {
      const batch = queue.slice(0, MAX_ROWS);
      queue = queue.slice(batch.length);
      inFlight += 1;
      void write(db, batch).finally(() => {
        inFlight -= 1;
        schedule();
      });
    }
  };

  return {
    insert(event, receivedAt) {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ event, receivedAt, resolve, reject });
        if (queue.length >= MAX_ROWS) flush();
        else schedule();
      });
    },
  };
}

/**
 * One statement for the batch. The first delivery of an event id in a batch is the one that can be
 * new; a repeat in the same batch is a duplicate, answered once the first is committed. When the
 * statement fails, each row is tried again on its own, so one row the database refuses cannot
 * take the others down with it; those that fail again are reported to their callers (5xx).
 */
async function write(db: Queryable, batch: Pending[]): Promise<void> {
  const firsts = new Map<string, Pending>();
  for (const pending of batch) {
    const key = inboxEventKey(pending.event.provider, pending.event.providerEventId);
    if (!firsts.has(key)) firsts.set(key, pending);
  }
  const rows = [...firsts.values()];
  let inserted: Set<string>;
  try {
    inserted = await insertInboxEvents(db, rows);
  } catch (error) {
    if (rows.length === 1) return void batch.forEach((pending) => pending.reject(error));
    return writeOneByOne(db, batch);
  }
  for (const pending of batch) {
    const key = inboxEventKey(pending.event.provider, pending.event.providerEventId);
    pending.resolve(firsts.get(key) === pending && inserted.has(key));
  }
}

async function writeOneByOne(db: Queryable, batch: Pending[]): Promise<void> {
  const outcomes = new Map<string, Promise<boolean>>();
  for (const pending of batch) {
    const key = inboxEventKey(pending.event.provider, pending.event.providerEventId);
    const first = outcomes.get(key);
    if (first) {
      // A repeat: a duplicate once the first is stored, a failure if the first could not be.
      first.then(() => pending.resolve(false), pending.reject);
      continue;
    }
    const outcome = insertInboxEvents(db, [pending]).then((rows) => rows.has(key));
    outcomes.set(key, outcome);
    outcome.then(pending.resolve, pending.reject);
    await outcome.catch(() => undefined);
  }
}

const batchers = new WeakMap<Queryable, InboxInsertBatcher>();

/** The batcher of a database handle: every delivery stored through one handle shares it. */
export function inboxInsertBatcherFor(db: Queryable & { kind?: string }): InboxInsertBatcher {
  let batcher = batchers.get(db);
  if (!batcher) {
    // The embedded database has one session: one statement at a time, the rest wait in the queue.
    batcher = createInboxInsertBatcher(db, { maxInFlight: db.kind === 'postgres' ? 4 : 1 });
    batchers.set(db, batcher);
  }
  return batcher;
}
