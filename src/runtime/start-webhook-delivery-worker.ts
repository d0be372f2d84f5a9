import { nextWebhookDeliveryDueAt } from '../db/repositories/webhook-delivery-repository.ts';
import { deliverDueWebhooks } from '../services/outgoing-webhooks/deliver-due-webhooks.ts';
import type { WebhookServiceContext } from '../services/outgoing-webhooks/outgoing-webhooks-context.ts';
import type { Logger } from '../shared/logger.ts';
import { createCoalescedRunner } from '../webhooks/coalesced-runner.ts';

/** Retries due further ahead than this are left to the job's minutely run. */
const LONGEST_DUE_WAIT_MS = 60_000;
const DUE_MARGIN_MS = 50;

export type WebhookDeliveryWorker = { wake(): void; idle(): Promise<void>; stop(): Promise<void> };

/**
 * This process's delivery worker, woken for free after changes that may have recorded events
 * (API writes, inbox passes): passes run one at a time and coalesce wakes. After a pass it sets a
 * timer for the next retry that falls due within a minute. Nothing here is durable, nor needs to
 * be: the deliver-webhooks job's minutely run is the safety net.
 */
export function startWebhookDeliveryWorker(ctx: WebhookServiceContext, logger: Logger): WebhookDeliveryWorker {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const runner = createCoalescedRunner(
    async (stopping) => {
      if ((await deliverDueWebhooks(ctx, stopping)).more) return 'more';
      await armForNextDue();
      return 'done';
    },
    (error) => logger.warn({ err: error }, 'the webhook delivery worker failed a pass; the scheduled run tries again'),
  );
  const armForNextDue = async (): Promise<void> => {
    const due = await nextWebhookDeliveryDueAt(ctx.db);
    if (timer) clearTimeout(timer);
    timer = null;
    if (!due || stopped) return;
    const waitMs = Math.max(0, due.getTime() - ctx.clock.now().getTime());
    if (waitMs > LONGEST_DUE_WAIT_MS) return;
    timer = setTimeout(() => {
      timer = null;
      runner.wake();
    }, waitMs + DUE_MARGIN_MS);
    timer.unref();
  };
  return {
    wake: () => runner.wake(),
    idle: () => runner.idle(),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await runner.stop();
    },
  };
}
