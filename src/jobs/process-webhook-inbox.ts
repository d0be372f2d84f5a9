import { z } from 'zod';
import type { ServiceContext } from '../services/service-context.ts';
import { drainInbox } from '../webhooks/drain-inbox.ts';
import { defineJob } from './job-definition.ts';
import { releaseExpiredInboxClaims } from './release-expired-inbox-claims.ts';

export const PROCESS_WEBHOOK_INBOX = 'process-webhook-inbox';
/** Stately with one key: at most one run queued behind the running one, however many events arrive. */
export const PROCESS_WEBHOOK_INBOX_KEY = 'inbox';

/**
 * Enqueued right after each accepted webhook (low latency) and scheduled every minute (retries
 * that fell due, and anything a lost wake-up left behind). Per-event failures are recorded on the
 * inbox row, not thrown, so the job itself only fails when the database does.
 */
export const processWebhookInboxJob = (ctx: ServiceContext) =>
  defineJob({
    name: PROCESS_WEBHOOK_INBOX,
    description: 'Processes due webhook inbox events: apply and mark done in one transaction, retry with backoff, dead-letter',
    payload: z.object({}).passthrough(),
    policy: 'stately',
    retryLimit: 2,
    retryDelaySeconds: 10,
    // Short: a crashed process's active run blocks the next one (stately) until it expires. A live
    // run never needs longer (drainInbox stops after its time budget and the next run continues),
    // and an overlap is harmless: rows are claimed with SKIP LOCKED and a lease.
    expireInSeconds: 90,
    cron: '* * * * *',
    handle: async () => {
      if (!ctx.webhooks) return;
      await releaseExpiredInboxClaims(ctx);
      await drainInbox({ db: ctx.db, clock: ctx.clock, webhooks: ctx.webhooks, locale: ctx.config.DEFAULT_LOCALE });
    },
  });
