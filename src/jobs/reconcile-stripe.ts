import { z } from 'zod';
import { reconcileStripe } from '../services/reconciliation/reconcile-stripe.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { RecurError } from '../shared/errors.ts';
import { defineJob } from './job-definition.ts';

export const RECONCILE_STRIPE = 'reconcile-stripe';

/**
 * The scheduled reconciliation (RECONCILE_CRON, "off": only `recur sync stripe`). Stately, so the
 * job engine runs one at a time across processes; the run's own row (one `running` per provider)
 * also keeps it from overlapping a CLI run, which it then leaves to finish.
 */
export const reconcileStripeJob = (ctx: ServiceContext) =>
  defineJob({
    name: RECONCILE_STRIPE,
    description: 'Lists Stripe subscriptions (customers expanded) and events; repairs drift; stores the drift report',
    payload: z.object({}).passthrough(),
    policy: 'stately',
    retryLimit: 1,
    retryDelaySeconds: 5 * 60,
    expireInSeconds: 3 * 60 * 60,
    ...(ctx.config.RECONCILE_CRON === 'off' ? {} : { cron: ctx.config.RECONCILE_CRON }),
    handle: async () => {
      if (!ctx.stripe) return;
      try {
        await reconcileStripe(ctx, { trigger: 'schedule' });
      } catch (error) {
        if (error instanceof RecurError && error.code === 'conflict') return;
        throw error;
      }
    },
  });
