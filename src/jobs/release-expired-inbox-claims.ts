import { z } from 'zod';
import type { ProviderId } from '../domain/provider.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { recordDeadLetterAlert } from '../webhooks/record-dead-letter-alert.ts';
import { defineJob } from './job-definition.ts';

/**
 * A worker that dies while processing a webhook leaves its inbox row in 'processing'. Once the
 * claim's lease has lapsed the row goes back to 'failed' with an immediate retry time, so the
 * event is processed again instead of being lost. The inbox job calls this before each drain, so
 * a crashed worker's rows come back within a minute of their lease; this schedule is the backstop.
 * `all`: only where no other process can hold a claim (the embedded database, locked at start).
 *
 * An event whose every attempt ends this way (one that stops the process, or never finishes) would
 * otherwise be claimed forever: once its attempts reach WEBHOOK_MAX_ATTEMPTS it is dead instead,
 * with the reason and the dead-letter alert, and the inbox moves on.
 */
export async function releaseExpiredInboxClaims(ctx: Pick<ServiceContext, 'db' | 'clock'> & Partial<Pick<ServiceContext, 'webhooks' | 'config'>>, options: { all?: boolean } = {}): Promise<number> {
  const now = ctx.clock.now();
  const maxAttempts = ctx.webhooks?.maxAttempts ?? null;
  const released = options.all ? 'the process that was processing it stopped; released for retry at start-up' : 'processing did not finish before its lease expired; released for retry';
  const parked = `parked: none of its ${maxAttempts ?? 0} attempts finished (the process stopped, or processing outlived its lease)`;
  return ctx.db.transaction(async (tx) => {
    const result = await tx.query<ReleasedRow>(
      `UPDATE webhook_inbox
          SET status = CASE WHEN attempts >= $4 THEN 'dead' ELSE 'failed' END,
              next_attempt_at = CASE WHEN attempts >= $4 THEN NULL ELSE $1::timestamptz END,
              lease_expires_at = NULL,
              last_error = CASE WHEN attempts >= $4 THEN $5 ELSE $2 END
        WHERE status = 'processing' AND ($3 OR lease_expires_at < $1)
        RETURNING id, provider, provider_event_id, type, attempts, received_at, status`,
      [now, released, options.all === true, maxAttempts ?? 2_147_483_647, parked],
    );
    for (const row of result.rows.filter((released) => released.status === 'dead')) {
      const event = { id: Number(row.id), provider: row.provider as ProviderId, providerEventId: row.provider_event_id, type: row.type, payload: null, attempt: row.attempts, receivedAt: row.received_at };
      await recordDeadLetterAlert(tx, event, { message: parked, now, adminEmails: ctx.webhooks?.adminEmails ?? [], locale: ctx.config?.DEFAULT_LOCALE ?? 'en' });
    }
    return result.rowCount;
  });
}

type ReleasedRow = { id: string | number; provider: string; provider_event_id: string; type: string; attempts: number; received_at: Date; status: 'failed' | 'dead' };

export const releaseExpiredInboxClaimsJob = (ctx: Pick<ServiceContext, 'db' | 'clock' | 'webhooks' | 'config'>) =>
  defineJob({
    name: 'release-expired-inbox-claims',
    description: 'Hands webhook inbox rows whose processing claim expired back to the worker',
    payload: z.object({}).passthrough(),
    retryLimit: 3,
    retryDelaySeconds: 30,
    expireInSeconds: 60,
    cron: '*/5 * * * *',
    handle: async () => {
      await releaseExpiredInboxClaims(ctx);
    },
  });
