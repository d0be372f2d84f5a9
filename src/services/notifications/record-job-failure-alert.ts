import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { enqueueAdminAlert } from '../../db/repositories/notification-outbox-repository.ts';
import type { ServiceContext } from '../service-context.ts';

export const JOB_FAILURE_TEMPLATE = 'admin-alert-job-failure';

/**
 * A job that failed its last retry: an audit entry, and one alert per admin for that job run
 * (keyed by the job's id, so a job that fails every minute alerts once per run, not per retry).
 */
export async function recordJobFailureAlert(ctx: Pick<ServiceContext, 'db' | 'clock' | 'config'>, failure: { job: string; jobId: string; attempts: number; error: string }): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await recordAudit(tx, { at: now, actor: `job:${failure.job}`, entity: 'job', entityId: failure.jobId, action: 'gave_up', before: null, after: { attempts: failure.attempts }, reason: failure.error });
    await enqueueAdminAlert(tx, {
      businessKey: `alert:job-failed:${failure.job}:${failure.jobId}`,
      template: JOB_FAILURE_TEMPLATE,
      payload: { job: failure.job, job_id: failure.jobId, attempts: failure.attempts, error: failure.error },
      adminEmails: ctx.config.ADMIN_EMAILS ?? [],
      locale: ctx.config.DEFAULT_LOCALE,
      now,
    });
  });
}
