import type { Queryable } from '../database.ts';
import { SMS_CONSENT_COUNTS_SQL } from './customer-repository.ts';
import type { NewNotice } from './notification-outbox-repository.ts';

/** An outbox row as the delivery job holds it while sending: what was decided, and the claim. */
export type ClaimedNotice = Pick<NewNotice, 'businessKey' | 'customerId' | 'subscriptionId' | 'channel' | 'template' | 'recipient' | 'locale' | 'payload'> & {
  id: string;
  attempts: number;
  claimToken: string;
  claimedAt: Date;
  createdAt: Date;
};

type ClaimedRow = {
  id: string;
  business_key: string;
  customer_id: string | null;
  subscription_id: string | null;
  channel: 'email' | 'sms';
  template: string;
  recipient: string;
  locale: 'nl' | 'en';
  payload: unknown;
  attempts: number;
  claim_token: string;
  claimed_at: Date;
  created_at: Date;
};

const CLAIMED_COLUMNS = 'id, business_key, customer_id, subscription_id, channel, template, recipient, locale, payload, attempts, claim_token, claimed_at, created_at';

const toClaimed = (row: ClaimedRow): ClaimedNotice => ({
  id: row.id,
  businessKey: row.business_key,
  customerId: row.customer_id,
  subscriptionId: row.subscription_id,
  channel: row.channel,
  template: row.template,
  recipient: row.recipient,
  locale: row.locale,
  payload: row.payload,
  attempts: row.attempts,
  claimToken: row.claim_token,
  claimedAt: row.claimed_at,
  createdAt: row.created_at,
});

/**
 * Takes up to `limit` due rows of the given channels for one worker: `FOR UPDATE SKIP LOCKED`,
 * so workers in other processes take other rows, and 'sending' with a lease once committed.
 * Counts the attempt at claim time, so a worker that dies mid-send has still used one.
 */
export async function claimDueNotices(
  db: Queryable,
  input: { channels: readonly ('email' | 'sms')[]; limit: number; claimToken: string; now: Date; leaseMs: number },
): Promise<ClaimedNotice[]> {
  if (input.channels.length === 0) return [];
  const result = await db.query<ClaimedRow>(
    `UPDATE notification_outbox SET status = 'sending', claim_token = $1, claimed_at = $2, claim_expires_at = $3, attempts = attempts + 1, updated_at = $2
      WHERE id IN (
        SELECT id FROM notification_outbox
         WHERE status = 'pending' AND due_at <= $2 AND channel = ANY($4::text[])
         ORDER BY due_at, id LIMIT $5 FOR UPDATE SKIP LOCKED)
      RETURNING ${CLAIMED_COLUMNS}`,
    [input.claimToken, input.now, new Date(input.now.getTime() + input.leaseMs), input.channels, input.limit],
  );
  return result.rows.map(toClaimed).sort((a, b) => a.claimedAt.getTime() - b.claimedAt.getTime() || a.id.localeCompare(b.id));
}

/** Rows whose worker stopped while sending: the lease lapsed and no callback settled them. */
export async function claimLapsedNotices(db: Queryable, input: { claimToken: string; now: Date; leaseMs: number; limit: number }): Promise<ClaimedNotice[]> {
  const result = await db.query<ClaimedRow & { previous_claimed_at: Date }>(
    `WITH lapsed AS (
       SELECT id, claimed_at FROM notification_outbox
        WHERE status = 'sending' AND claim_expires_at < $2
        ORDER BY claim_expires_at LIMIT $4 FOR UPDATE SKIP LOCKED)
     UPDATE notification_outbox o SET claim_token = $1, claim_expires_at = $3, updated_at = $2
       FROM lapsed WHERE o.id = lapsed.id
     RETURNING o.id, o.business_key, o.customer_id, o.subscription_id, o.channel, o.template, o.recipient, o.locale, o.payload,
               o.attempts, o.claim_token, lapsed.claimed_at AS claimed_at, o.created_at`,
    [input.claimToken, input.now, new Date(input.now.getTime() + input.leaseMs), input.limit],
  );
  return result.rows.map(toClaimed);
}

/**
 * Records a send the provider accepted. Matches on the claim, not on the status: a delivery
 * callback may have marked the row sent (or delivered) first, and then only the id is added.
 */
export async function markNoticeSent(db: Queryable, input: { id: string; claimToken: string; providerMessageId: string; now: Date }): Promise<boolean> {
  const result = await db.query(
    `UPDATE notification_outbox
        SET status = CASE WHEN status = 'sending' THEN 'sent' ELSE status END,
            provider_message_id = COALESCE(provider_message_id, $3), sent_at = COALESCE(sent_at, $4),
            last_error = NULL, claim_expires_at = NULL, updated_at = $4
      WHERE id = $1 AND claim_token = $2 RETURNING id`,
    [input.id, input.claimToken, input.providerMessageId, input.now],
  );
  return result.rows.length > 0;
}

/** Back to waiting, due at `dueAt`: a retryable failure, quiet hours, a lapsed claim found unsent. */
export async function releaseNotice(db: Queryable, input: { id: string; claimToken: string; dueAt: Date; error: string | null; countAttempt: boolean; now: Date }): Promise<boolean> {
  const result = await db.query(
    `UPDATE notification_outbox
        SET status = 'pending', due_at = $3, last_error = COALESCE($4, last_error), claim_token = NULL, claimed_at = NULL, claim_expires_at = NULL,
            attempts = CASE WHEN $5 THEN attempts ELSE GREATEST(attempts - 1, 0) END, updated_at = $6
      WHERE id = $1 AND claim_token = $2 AND status = 'sending' RETURNING id`,
    [input.id, input.claimToken, input.dueAt, input.error, input.countAttempt, input.now],
  );
  return result.rows.length > 0;
}

/** A row that will not be sent: failed (rejected), dead (out of attempts), suppressed, canceled. */
export async function settleNotice(
  db: Queryable,
  input: { id: string; claimToken: string; status: 'failed' | 'dead' | 'suppressed' | 'canceled'; error: string; errorCode: string | null; now: Date },
): Promise<boolean> {
  const result = await db.query(
    `UPDATE notification_outbox
        SET status = $3, last_error = $4, error_code = $5, claim_expires_at = NULL, updated_at = $6
      WHERE id = $1 AND claim_token = $2 AND status = 'sending' RETURNING id`,
    [input.id, input.claimToken, input.status, input.error, input.errorCode, input.now],
  );
  return result.rows.length > 0;
}

/** Records that the customer withdrew SMS consent (a STOP reply, Twilio's 21610); true when it changed. */
export async function withdrawSmsConsent(tx: Queryable, customerId: string, now: Date): Promise<boolean> {
  const result = await tx.query(
    `UPDATE customers SET sms_consent_withdrawn_at = $2, updated_at = $2
      WHERE id = $1 AND ${SMS_CONSENT_COUNTS_SQL} RETURNING id`,
    [customerId, now],
  );
  return result.rows.length > 0;
}
