import {
  findReconciliationRun,
  listReconciliationItems,
  listReconciliationItemsPage,
  listReconciliationRuns,
  type ItemFilter,
  type ReconciliationItem,
  type RunFilter,
  type ReconciliationRun,
} from '../../db/repositories/reconciliation-run-repository.ts';
import type { Page } from '../../db/keyset-page.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export function listRuns(ctx: Pick<ServiceContext, 'db'>, filter: RunFilter): Promise<Page<ReconciliationRun>> {
  return listReconciliationRuns(ctx.db, filter);
}

/** A run's items a page at a time; 404 when there is no such run. */
export async function listRunItems(ctx: Pick<ServiceContext, 'db'>, filter: ItemFilter): Promise<Page<ReconciliationItem>> {
  if (!(await findReconciliationRun(ctx.db, filter.runId))) throw notFound('reconciliation run', filter.runId);
  return listReconciliationItemsPage(ctx.db, filter);
}

/** One run with every item of its drift report. */
export async function getRunReport(ctx: Pick<ServiceContext, 'db'>, id: string): Promise<{ run: ReconciliationRun; items: ReconciliationItem[] }> {
  const run = await findReconciliationRun(ctx.db, id);
  if (!run) throw notFound('reconciliation run', id);
  return { run, items: await listReconciliationItems(ctx.db, id) };
}
