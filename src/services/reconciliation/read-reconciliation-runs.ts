import {
  findReconciliationRun,
  listReconciliationItems,
  listReconciliationRuns,
  type ReconciliationItem,
  type ReconciliationRun,
} from '../../db/repositories/reconciliation-run-repository.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export function listRuns(ctx: Pick<ServiceContext, 'db'>, filter: { limit: number; startingAfter?: string | undefined }): Promise<{ items: ReconciliationRun[]; hasMore: boolean }> {
  return listReconciliationRuns(ctx.db, filter);
}

/** One run with every item of its drift report. */
export async function getRunReport(ctx: Pick<ServiceContext, 'db'>, id: string): Promise<{ run: ReconciliationRun; items: ReconciliationItem[] }> {
  const run = await findReconciliationRun(ctx.db, id);
  if (!run) throw notFound('reconciliation run', id);
  return { run, items: await listReconciliationItems(ctx.db, id) };
}
