import { enqueueAdminAlert } from '../../db/repositories/notification-outbox-repository.ts';
import type { ReconciliationRun } from '../../db/repositories/reconciliation-run-repository.ts';
import type { ServiceContext } from '../service-context.ts';

export const RECONCILIATION_ALERT_TEMPLATE = 'admin-alert-reconciliation';

/**
 * A finished run that found drift is an anomaly worth an e-mail: recur and the provider
 * disagreed, so webhooks were missed or failed. One alert per run (its id is the key), with
 * the counts per kind; the report itself is at GET /v1/reconciliation/runs/{id}.
 */
export async function alertReconciliationDrift(ctx: Pick<ServiceContext, 'db' | 'clock' | 'config'>, run: ReconciliationRun): Promise<boolean> {
  const kinds = Object.fromEntries(Object.entries(run.counts).filter(([, count]) => (count ?? 0) > 0));
  const findings = Object.values(kinds).reduce((sum, count) => sum + (count ?? 0), 0);
  if (findings === 0 || !ctx.config.ADMIN_EMAILS) return false;
  const inserted = await enqueueAdminAlert(ctx.db, {
    businessKey: `alert:reconciliation:${run.id}`,
    template: RECONCILIATION_ALERT_TEMPLATE,
    payload: { run_id: run.id, provider: run.provider, findings, kinds },
    adminEmails: ctx.config.ADMIN_EMAILS,
    locale: ctx.config.DEFAULT_LOCALE,
    now: ctx.clock.now(),
  });
  return inserted > 0;
}
