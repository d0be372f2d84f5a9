import { z } from 'zod';
import type { ServiceContext } from '../services/service-context.ts';
import { drainInboxPass } from '../webhooks/drain-inbox.ts';
import type { WorkerDeps } from '../webhooks/process-inbox-event.ts';
import { defineJob } from './job-definition.ts';
import { releaseExpiredInboxClaims } from './release-expired-inbox-claims.ts';

export const PROCESS_WEBHOOK_INBOX = 'process-webhook-inbox';
/** One key: at most one run queued, however many events arrive. */
export const PROCESS_WEBHOOK_INBOX_KEY = 'inbox';

/** What the inbox worker needs from the service, for the job and for the in-process wake-up alike. */
export function inboxWorkerDeps(ctx: ServiceContext): WorkerDeps | null {
  if (!ctx.webhooks) return null;
  return { db: ctx.db, clock: ctx.clock, webhooks: ctx.webhooks, locale: ctx.config.DEFAULT_LOCALE };
}

/**
 * The safety net under the in-process wake-up (src/webhooks/inbox-wake-up.ts), which is what
 * works accepted webhooks at once: scheduled every minute, it releases lapsed claims, works what
 * is due (retries that fell due, anything a wake-up lost with its process left behind), and
 * queues its own continuation when it stopped on its budget with rows still due. Per-event
 * failures are recorded on the inbox row, not thrown, so the job only fails when the database does.
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
    // A live run never needs longer: a pass stops after its 45 s budget and the continuation it
    // queues goes on.
    expireInSeconds: 90,
    cron: '* * * * *',
    handle: async () => {
      const deps = inboxWorkerDeps(ctx);
      if (!deps) return;
      await releaseExpiredInboxClaims(ctx);
      const pass = await drainInboxPass(deps);
      // Queued now, it runs once this run completes (stately: one queued behind the active one).
      if (pass.more) await ctx.jobs?.enqueue(PROCESS_WEBHOOK_INBOX, {}, { singletonKey: PROCESS_WEBHOOK_INBOX_KEY });
    },
  });
