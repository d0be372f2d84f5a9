import { z } from 'zod';
import type { ServiceContext } from '../services/service-context.ts';
import { drainInbox } from '../webhooks/drain-inbox.ts';
import { defineJob } from './job-definition.ts';
import { releaseExpiredInboxClaims } from './release-expired-inbox-claims.ts';

export const PROCESS_WEBHOOK_INBOX = 'process-webhook-inbox';
/** One key: at most one run queued, however many events arrive. */
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
    // 'short', not 'stately': under 'stately' the active run of a process killed mid-run held up
    // the next run on every process until it expired (up to two minutes of no webhook applied).
    // Runs may overlap: rows are claimed with SKIP LOCKED and a lease.
    policy: 'short',
    retryLimit: 2,
    retryDelaySeconds: 10,
    // A live run never needs longer: drainInbox stops after its time budget and the next run continues.
    expireInSeconds: 90,
    cron: '* * * * *',
    handle: async () => {
      if (!ctx.webhooks) return;
      await releaseExpiredInboxClaims(ctx);
      await drainInbox({ db: ctx.db, clock: ctx.clock, webhooks: ctx.webhooks, locale: ctx.config.DEFAULT_LOCALE });
    },
  });
