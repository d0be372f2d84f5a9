import type { Queryable } from '../../db/database.ts';
import { advanceEventCursor, readEventCursor, type EventCursor } from '../../db/repositories/reconciliation-cursor-repository.ts';
import type { NewReconciliationItem } from '../../db/repositories/reconciliation-run-repository.ts';
import { insertRecoveredInboxEvents } from '../../db/repositories/recovered-inbox-events-repository.ts';
import type { ListedEvent, ProviderPage } from '../../providers/payments/reconciliation-operations.ts';
import { recoveredEventSubject, type RecoveredEventSubject } from '../../providers/payments/stripe/stripe-recovered-event-subject.ts';
import { toStorableJson } from '../../shared/storable-json.ts';
import { toStorableText } from '../../shared/storable-text.ts';
import type { BroughtUpToDate } from './reconcile-subscriptions.ts';
import type { RunScope } from './run-scope.ts';
import { settleRecoveredEvent } from './settle-recovered-event.ts';

/**
 * The first page of Stripe's events list, read before the subscription pass: every event on it,
 * and every event listed after it (the list is newest first), existed before the run read any
 * subscription, so what the run then read of an object already includes them.
 */
export type EventsBeforeThePass = { cursor: EventCursor | null; firstPage: ProviderPage<ListedEvent> };

export async function readEventsBeforeThePass(scope: RunScope): Promise<EventsBeforeThePass> {
  const cursor = await readEventCursor(scope.ctx.db, 'stripe');
  const firstPage = await scope.gateway.listEventsPage({ createdFrom: cursor?.lastEventCreated ?? null, startingAfter: null });
  return { cursor, firstPage };
}

/**
 * Events whose webhooks never arrived, read from Stripe's events list into the same inbox the
 * webhooks fill (the unique index drops the ones already there); the worker is woken for the
 * ones left to apply.
 *
 * The list is newest first and keeps 30 days. The cursor is the newest event an earlier run
 * stored, and a read stops at it: neither its second nor anything older is read again. After the
 * subscription pass the run reads the events made meanwhile (newer than the first page, down to
 * it: one page when the run changed little), then the first page and the older ones down to the
 * cursor. Only events of the first page and older are settled for subscriptions the run brought
 * up to date; an event made during the run may be newer than the run's read of its object.
 *
 * Each page is stored in one transaction, inbox rows and report items each in one statement;
 * only after the last page does the cursor move to the newest event read: a run that dies
 * half-way leaves the cursor where it was, and the next run reads those pages again (duplicates
 * are ignored). Without a cursor (the first run, or its event gone from Stripe's 30 days) the
 * run reads all Stripe keeps.
 */
export async function recoverMissedEvents(scope: RunScope, before: EventsBeforeThePass, upToDate: BroughtUpToDate): Promise<number> {
  const { cursor, firstPage } = before;
  const firstNewest = firstPage.items[0];
  const boundary: EventCursor | null = firstNewest ? { lastEventId: firstNewest.id, lastEventCreated: firstNewest.created } : cursor;
  const progress = { pages: 0, objects: 0, recovered: 0, leftForWorker: 0, newest: null as ListedEvent | null };
  const noneUpToDate: BroughtUpToDate = new Map();

  const madeDuringTheRun = await scope.gateway.listEventsPage({ createdFrom: boundary?.lastEventCreated ?? null, startingAfter: null });
  await readDownTo(scope, madeDuringTheRun, boundary, noneUpToDate, progress, !firstNewest);
  if (firstNewest) await readDownTo(scope, firstPage, cursor, upToDate, progress, true);

  const newest = progress.newest ?? firstNewest;
  if (newest) await advanceEventCursor(scope.ctx.db, 'stripe', { lastEventId: newest.id, lastEventCreated: newest.created }, scope.ctx.clock.now());
  if (progress.leftForWorker > 0) await scope.ctx.webhooks?.wakeWorker?.();
  return progress.recovered;
}

type Progress = { pages: number; objects: number; recovered: number; leftForWorker: number; newest: ListedEvent | null };

/** From `page` on, page after page, storing each, until the list reaches `stopAt` (not stored again) or ends. */
async function readDownTo(scope: RunScope, page: ProviderPage<ListedEvent>, stopAt: EventCursor | null, upToDate: BroughtUpToDate, progress: Progress, last: boolean): Promise<void> {
  for (;;) {
    progress.pages += 1;
    progress.objects += page.items.length;
    const reached = stopAt ? page.items.findIndex((event) => event.id === stopAt.lastEventId) : -1;
    const fresh = reached >= 0 ? page.items.slice(0, reached) : page.items;
    progress.newest ??= fresh[0] ?? null;
    const stored = await storePage(scope, fresh, upToDate);
    progress.recovered += stored.recovered;
    progress.leftForWorker += stored.leftForWorker;
    const next = reached >= 0 ? null : page.nextCursor;
    if (!next) {
      if (last) scope.progress({ phase: 'events', pages: progress.pages, objects: progress.objects, done: true });
      return;
    }
    scope.progress({ phase: 'events', pages: progress.pages, objects: progress.objects, done: false });
    page = await scope.gateway.listEventsPage({ createdFrom: stopAt?.lastEventCreated ?? null, startingAfter: next });
  }
}

async function storePage(scope: RunScope, events: readonly ListedEvent[], upToDate: BroughtUpToDate): Promise<{ recovered: number; leftForWorker: number }> {
  if (events.length === 0) return { recovered: 0, leftForWorker: 0 };
  return scope.ctx.db.transaction(async (tx) => {
    const now = scope.ctx.clock.now();
    const subjects = events.map((event) => recoveredEventSubject(event.payload));
    const versions = await currentVersions(tx, subjects, upToDate);
    const rows = events.map((event, index) => {
      // Stored as the webhook route stores it: text jsonb cannot hold becomes U+FFFD, or one
      // such event would fail this page, and every run after it. (Too deep to store: its
      // top-level fields; the worker then fails it up to WEBHOOK_MAX_ATTEMPTS, and it is dead.)
      const storable = toStorableJson(event.payload);
      const payload = storable.value ?? {};
      const settled = storable.refused ? null : settleRecoveredEvent(scope.runId, event.type, subjects[index]!, upToDate, versions);
      return { provider: 'stripe', providerEventId: toStorableText(event.id), type: toStorableText(event.type), payload, providerCreatedAt: event.created, settled, listed: event };
    });
    const inserted = await insertRecoveredInboxEvents(tx, rows, now);
    const items: NewReconciliationItem[] = [];
    let leftForWorker = 0;
    for (const row of rows) {
      if (!inserted.has(row.providerEventId)) continue;
      if (!row.settled) leftForWorker += 1;
      items.push({
        kind: 'event_recovered',
        providerObjectId: row.listed.id,
        recurId: null,
        found: { type: row.listed.type, created: row.listed.created.toISOString() },
        action: row.settled ? `stored as already applied (ignored: ${row.settled.reason})` : 'stored in the webhook inbox',
      });
    }
    await scope.recordMany(tx, items);
    return { recovered: items.length, leftForWorker };
  });
}

/**
 * The versions recur's rows hold now, for the subscriptions of this page's events that the run
 * brought up to date: a row written since (by a webhook) no longer shows what the run read.
 */
async function currentVersions(tx: Queryable, subjects: readonly RecoveredEventSubject[], upToDate: BroughtUpToDate): Promise<Map<string, number>> {
  const ids = new Set<string>();
  for (const subject of subjects) if (subject.kind === 'subscription' && upToDate.has(subject.subscriptionId)) ids.add(subject.subscriptionId);
  if (ids.size === 0) return new Map();
  const result = await tx.query<{ provider_subscription_id: string; provider_updated_at: Date }>(
    "SELECT provider_subscription_id, provider_updated_at FROM subscriptions WHERE provider = 'stripe' AND provider_subscription_id = ANY($1::text[])",
    [[...ids]],
  );
  return new Map(result.rows.map((row) => [row.provider_subscription_id, row.provider_updated_at.getTime()]));
}
