import { advanceEventCursor, readEventCursor, type EventCursor } from '../../db/repositories/reconciliation-cursor-repository.ts';
import { insertInboxEvent } from '../../db/repositories/webhook-inbox-repository.ts';
import type { ListedEvent } from '../../providers/payments/stripe/stripe-reconciliation-gateway.ts';
import { toStorableJson } from '../../shared/storable-json.ts';
import { toStorableText } from '../../shared/storable-text.ts';
import type { RunScope } from './run-scope.ts';

/**
 * Events whose webhooks never arrived, read from Stripe's events list into the same inbox the
 * webhooks fill (the unique index drops the ones already there), then the worker is woken.
 *
 * The list is newest first and keeps 30 days. The run reads from the second of the cursor on (all
 * 30 days on the first run), storing each page in one transaction, and only after the last page
 * moves the cursor to the newest event of the first page: a run that dies half-way leaves the
 * cursor where it was, and the next run reads those pages again (duplicates are ignored).
 * Reading from the cursor's second, not after it, keeps events of that same second.
 */
export async function recoverMissedEvents(scope: RunScope): Promise<number> {
  const { db } = scope.ctx;
  const cursor = await readEventCursor(db, 'stripe');
  let newest: EventCursor | null = null;
  let recovered = 0;
  let pages = 0;
  let objects = 0;
  let startingAfter: string | null = null;
  do {
    const page: { items: ListedEvent[]; nextCursor: string | null } = await scope.gateway.listEventsPage({ createdFrom: cursor?.lastEventCreated ?? null, startingAfter });
    pages += 1;
    objects += page.items.length;
    const first = page.items[0];
    if (!newest && first) newest = { lastEventId: first.id, lastEventCreated: first.created };
    recovered += await db.transaction(async (tx) => {
      const now = scope.ctx.clock.now();
      let stored = 0;
      for (const event of page.items) {
        // Stored as the webhook route stores it: text jsonb cannot hold becomes U+FFFD, or one
        // such event would fail this page, and every run after it. (Too deep to store: its
        // top-level fields; the worker then fails it up to WEBHOOK_MAX_ATTEMPTS, and it is dead.)
        const payload = toStorableJson(event.payload).value ?? {};
        const inserted = await insertInboxEvent(tx, { provider: 'stripe', providerEventId: toStorableText(event.id), type: toStorableText(event.type), payload, providerCreatedAt: event.created }, now);
        if (!inserted) continue;
        stored += 1;
        await scope.record(tx, { kind: 'event_recovered', providerObjectId: event.id, recurId: null, found: { type: event.type, created: event.created.toISOString() }, action: 'stored in the webhook inbox' });
      }
      return stored;
    });
    startingAfter = page.nextCursor;
    scope.progress({ phase: 'events', pages, objects, done: startingAfter === null });
  } while (startingAfter);

  if (newest) await advanceEventCursor(db, 'stripe', newest, scope.ctx.clock.now());
  if (recovered > 0) await scope.ctx.webhooks?.wakeWorker?.();
  return recovered;
}
