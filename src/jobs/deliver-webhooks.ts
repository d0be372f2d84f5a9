import { z } from 'zod';
import { deliverDueWebhooks } from '../services/outgoing-webhooks/deliver-due-webhooks.ts';
import type { WebhookServiceContext } from '../services/outgoing-webhooks/outgoing-webhooks-context.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { defineJob } from './job-definition.ts';

export const DELIVER_WEBHOOKS = 'deliver-webhooks';
/** One key: at most one run queued, however often it is asked for. */
export const DELIVER_WEBHOOKS_KEY = 'outgoing';

/** What the delivery worker needs, for the job and the in-process wake-up alike; null where the service has no endpoints. */
export function webhookWorkerContext(ctx: ServiceContext): WebhookServiceContext | null {
  if (!ctx.outgoingWebhooks) return null;
  return { db: ctx.db, clock: ctx.clock, config: ctx.config, outgoingWebhooks: ctx.outgoingWebhooks };
}

/**
 * The safety net under the in-process wake-up (src/services/outgoing-webhooks/webhook-wake-up.ts):
 * every minute, new events are fanned out to the endpoints and due deliveries are made. 'short',
 * like the inbox's job: rows are claimed with a lease, so runs may overlap, and a run left active
 * by a killed process does not hold up the next. Delivery failures are recorded on the rows; the
 * job fails only when the database does.
 */
export const deliverWebhooksJob = (ctx: ServiceContext) =>
  defineJob({
    name: DELIVER_WEBHOOKS,
    description: "Fans new events out to the shop's webhook endpoints and delivers what is due, retrying with backoff for 3 days",
    payload: z.object({}).passthrough(),
    policy: 'short',
    retryLimit: 2,
    retryDelaySeconds: 10,
    expireInSeconds: 10 * 60,
    cron: '* * * * *',
    handle: async () => {
      const worker = webhookWorkerContext(ctx);
      if (!worker) return;
      const pass = await deliverDueWebhooks(worker);
      if (pass.more) await ctx.jobs?.enqueue(DELIVER_WEBHOOKS, {}, { singletonKey: DELIVER_WEBHOOKS_KEY });
    },
  });
