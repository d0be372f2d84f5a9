import { listAuditEntries } from '../../db/repositories/audit-log-repository.ts';
import type { Page } from '../../db/keyset-page.ts';
import { findReconciliationRun, type ReconciliationItem, type ReconciliationRun, type RunStatus } from '../../db/repositories/reconciliation-run-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import { listRunItems, listRuns } from '../reconciliation/read-reconciliation-runs.ts';
import type { ServiceContext } from '../service-context.ts';

const RUNS_PER_PAGE = 25;
const ITEMS_PER_PAGE = 100;

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'failed', 'abandoned'];

export type RunPageFilter = { provider?: ProviderId | undefined; status?: RunStatus | undefined; before?: string | undefined };

/** Runs newest first, as `GET /v1/reconciliation/runs` lists them. */
export function listRunsForAdmin(ctx: Pick<ServiceContext, 'db'>, filter: RunPageFilter): Promise<Page<ReconciliationRun>> {
  return listRuns(ctx, { limit: RUNS_PER_PAGE, startingAfter: filter.before, provider: filter.provider, status: filter.status });
}

export type RunReportPage = { run: ReconciliationRun; items: Page<ReconciliationItem>; startedBy: string | null };

/**
 * One run, a page of its drift report (newest first), and who started it when a person did from
 * the dashboard (the audit log's `start` entry; a `recur sync` run has none, the schedule's neither).
 */
export async function readRunForAdmin(ctx: Pick<ServiceContext, 'db'>, id: string, before: number | undefined): Promise<RunReportPage | null> {
  const run = await findReconciliationRun(ctx.db, id);
  if (!run) return null;
  const items = await listRunItems(ctx, { runId: id, limit: ITEMS_PER_PAGE, startingAfter: before });
  const start = (await listAuditEntries(ctx.db, 'reconciliation_run', id)).find((entry) => entry.action === 'start');
  return { run, items, startedBy: start?.actor ?? null };
}
