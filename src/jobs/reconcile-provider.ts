import { z } from 'zod';
import { providerName, type ProviderId } from '../domain/provider.ts';
import { reconcileProvider } from '../services/reconciliation/reconcile-provider.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { RecurError } from '../shared/errors.ts';
import { defineJob } from './job-definition.ts';

/** `reconcile-<provider>`: Stripe's is `reconcile-stripe`, the name its schedule and the docs have always used. */
export const reconcileJobName = (provider: ProviderId): string => `reconcile-${provider}`;

export const RECONCILE_STRIPE = reconcileJobName('stripe');

/**
 * The scheduled reconciliation of one provider (RECONCILE_CRON, "off": only `recur sync <provider>`).
 * Stately, so the job engine runs one at a time across processes; the run's own row (one `running`
 * per provider) also keeps it from overlapping a CLI run, which it then leaves to finish.
 */
export const reconcileProviderJob = (ctx: ServiceContext, provider: ProviderId) =>
  defineJob({
    name: reconcileJobName(provider),
    description: `Lists ${providerName(provider)} subscriptions (customers expanded) and events; repairs drift; stores the drift report`,
    payload: z.object({}).passthrough(),
    policy: 'stately',
    retryLimit: 1,
    retryDelaySeconds: 5 * 60,
    expireInSeconds: 3 * 60 * 60,
    ...(ctx.config.RECONCILE_CRON === 'off' ? {} : { cron: ctx.config.RECONCILE_CRON }),
    handle: async () => {
      if (!ctx.payments?.get(provider)) return;
      try {
        await reconcileProvider(ctx, { provider, trigger: 'schedule' });
      } catch (error) {
        if (error instanceof RecurError && error.code === 'conflict') return;
        throw error;
      }
    },
  });
