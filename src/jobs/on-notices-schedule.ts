import type { ServiceContext } from '../services/service-context.ts';

/**
 * The schedule of the jobs that run on the notices' cadence (NOTICES_CRON; "off": never by
 * schedule): stately, so runs do not pile up behind a slow one, and retried twice a minute apart.
 * The notices, the dunning's end and the end of a paid period then move together.
 */
export function onNoticesSchedule(ctx: Pick<ServiceContext, 'config'>) {
  return {
    policy: 'stately' as const,
    retryLimit: 2,
    retryDelaySeconds: 60,
    expireInSeconds: 15 * 60,
    ...(ctx.config.NOTICES_CRON === 'off' ? {} : { cron: ctx.config.NOTICES_CRON }),
  };
}
