import type { ProviderId } from '../../domain/provider.ts';
import type { Queryable } from '../database.ts';
import { readKeysetPage, type KeysetList, type Page, type PageRequest } from '../keyset-page.ts';

export const RECONCILIATION_ITEM_KINDS = [
  'missing_locally',
  'missing_at_provider',
  'stale_status',
  'stale_period',
  'stale_plan',
  'stale_cancel_flag',
  'email_mismatch',
  'several_live_subscriptions',
  'not_recorded',
  'event_recovered',
  'stale_past_due_since',
  'missing_payment',
  'stale_payment',
] as const;

export type ReconciliationItemKind = (typeof RECONCILIATION_ITEM_KINDS)[number];
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'abandoned';
/** What started a run: the job's schedule, `recur sync`, or an admin on the dashboard. */
export type RunTrigger = 'schedule' | 'cli' | 'dashboard';

export type ReconciliationRun = {
  id: string;
  provider: ProviderId;
  trigger: RunTrigger;
  status: RunStatus;
  counts: Partial<Record<ReconciliationItemKind, number>>;
  requests: number;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
};

export type NewReconciliationItem = { kind: ReconciliationItemKind; providerObjectId: string; recurId: string | null; found: unknown; action: string };
export type ReconciliationItem = NewReconciliationItem & { id: number; createdAt: Date };

type RunRow = { id: string; provider: ProviderId; trigger: RunTrigger; status: RunStatus; counts: ReconciliationRun['counts']; requests: number; error: string | null; started_at: Date; finished_at: Date | null };

const toRun = (row: RunRow): ReconciliationRun => ({
  id: row.id,
  provider: row.provider,
  trigger: row.trigger,
  status: row.status,
  counts: row.counts,
  requests: row.requests,
  error: row.error,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
});

/**
 * Opens a run, or answers null while another run of the provider is still running (the partial
 * unique index decides). A run left `running` by a process that died is closed as abandoned
 * once it is older than `abandonAfterMs`, so a crash never blocks reconciliation for good.
 */
export async function startReconciliationRun(tx: Queryable, input: { provider: ProviderId; trigger: RunTrigger; now: Date; abandonAfterMs: number }): Promise<ReconciliationRun | null> {
  await tx.query(
    `UPDATE reconciliation_runs SET status = 'abandoned', finished_at = $3, error = 'the run did not finish (its process stopped)'
      WHERE provider = $1 AND status = 'running' AND started_at < $2`,
    [input.provider, new Date(input.now.getTime() - input.abandonAfterMs), input.now],
  );
  const result = await tx.query<RunRow>(
    `INSERT INTO reconciliation_runs (provider, trigger, status, counts, requests, started_at) VALUES ($1, $2, 'running', '{}', 0, $3)
     ON CONFLICT (provider) WHERE status = 'running' DO NOTHING RETURNING *`,
    [input.provider, input.trigger, input.now],
  );
  return result.rows[0] ? toRun(result.rows[0]) : null;
}

/** When the newest succeeded run of a provider (other than `runId`, the one asking) started; null when none did. */
export async function findLastSucceededRunStart(db: Queryable, provider: ProviderId, runId: string): Promise<Date | null> {
  const result = await db.query<{ started_at: Date }>(
    "SELECT started_at FROM reconciliation_runs WHERE provider = $1 AND status = 'succeeded' AND id <> $2 ORDER BY started_at DESC, finished_at DESC LIMIT 1",
    [provider, runId],
  );
  return result.rows[0] ? new Date(result.rows[0].started_at) : null;
}

export async function findRunningReconciliation(db: Queryable, provider: ProviderId): Promise<ReconciliationRun | null> {
  const result = await db.query<RunRow>("SELECT * FROM reconciliation_runs WHERE provider = $1 AND status = 'running'", [provider]);
  return result.rows[0] ? toRun(result.rows[0]) : null;
}

/**
 * Every item in one statement (arrays unnested into rows), so a page of a thousand recovered
 * events costs one round trip, and the items commit with the transaction they describe.
 */
export async function insertReconciliationItems(tx: Queryable, runId: string, items: readonly NewReconciliationItem[], now: Date): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `INSERT INTO reconciliation_items (run_id, kind, provider_object_id, recur_id, found, action, created_at)
     SELECT $1, item.kind, item.provider_object_id, item.recur_id, item.found::jsonb, item.action, $2
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS item(kind, provider_object_id, recur_id, found, action, position)
      ORDER BY item.position`,
    [
      runId,
      now,
      items.map((item) => item.kind),
      items.map((item) => item.providerObjectId),
      items.map((item) => item.recurId),
      items.map((item) => JSON.stringify(item.found)),
      items.map((item) => item.action),
    ],
  );
}

export async function finishReconciliationRun(
  db: Queryable,
  runId: string,
  outcome: { status: 'succeeded' | 'failed'; counts: ReconciliationRun['counts']; requests: number; error: string | null; now: Date },
): Promise<ReconciliationRun> {
  const result = await db.query<RunRow>(
    `UPDATE reconciliation_runs SET status = $2, counts = $3, requests = $4, error = $5, finished_at = $6 WHERE id = $1 RETURNING *`,
    [runId, outcome.status, JSON.stringify(outcome.counts), outcome.requests, outcome.error, outcome.now],
  );
  return toRun(result.rows[0]!);
}

export async function findReconciliationRun(db: Queryable, id: string): Promise<ReconciliationRun | null> {
  const result = await db.query<RunRow>('SELECT * FROM reconciliation_runs WHERE id = $1', [id]);
  return result.rows[0] ? toRun(result.rows[0]) : null;
}

export type RunFilter = PageRequest & { provider?: ProviderId | undefined; status?: ReconciliationRun['status'] | undefined };

const RUN_LIST: KeysetList = {
  select: 'SELECT * FROM reconciliation_runs',
  order: ['started_at', 'id'],
  cursorRow: 'SELECT started_at, id FROM reconciliation_runs WHERE id = $1',
  created: 'started_at',
  what: 'reconciliation run',
};

/** Newest first, keyset-paginated on (started_at, id); a run is created when it starts. */
export function listReconciliationRuns(db: Queryable, filter: RunFilter): Promise<Page<ReconciliationRun>> {
  return readKeysetPage(db, RUN_LIST, [['provider = ?', filter.provider], ['status = ?', filter.status]], filter, toRun);
}

type ItemRow = { id: string | number; kind: ReconciliationItemKind; provider_object_id: string; recur_id: string | null; found: unknown; action: string; created_at: Date };

const toItem = (row: ItemRow): ReconciliationItem => ({ id: Number(row.id), kind: row.kind, providerObjectId: row.provider_object_id, recurId: row.recur_id, found: row.found, action: row.action, createdAt: row.created_at });

export async function listReconciliationItems(db: Queryable, runId: string): Promise<ReconciliationItem[]> {
  const result = await db.query<ItemRow>('SELECT * FROM reconciliation_items WHERE run_id = $1 ORDER BY id', [runId]);
  return result.rows.map(toItem);
}

export type ItemFilter = PageRequest<number> & { runId: string; kind?: ReconciliationItemKind | undefined };

const ITEM_LIST: KeysetList = {
  select: 'SELECT * FROM reconciliation_items',
  order: ['id'],
  cursorRow: 'SELECT id FROM reconciliation_items WHERE id = $1',
  created: 'created_at',
  what: 'reconciliation item',
};

/** A run's drift report a page at a time, newest first like every list. */
export function listReconciliationItemsPage(db: Queryable, filter: ItemFilter): Promise<Page<ReconciliationItem>> {
  return readKeysetPage(db, ITEM_LIST, [['run_id = ?', filter.runId], ['kind = ?', filter.kind]], filter, toItem);
}
