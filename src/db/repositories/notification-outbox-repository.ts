import type { Queryable } from '../database.ts';

export type AdminAlert = {
  /** One incident, one key: `alert:{kind}:{what}`. Deciding to alert again about it inserts nothing. */
  businessKey: string;
  template: string;
  payload: Record<string, unknown>;
  adminEmails: readonly string[];
  locale: 'nl' | 'en';
  now: Date;
};

/**
 * Writes one admin alert e-mail per configured admin into the outbox, inside the caller's
 * transaction (the sender delivers it). The first admin's row carries the bare key, later ones
 * `{key}:{address}`, so each admin gets one e-mail per incident. Answers how many rows were new.
 */
export async function enqueueAdminAlert(tx: Queryable, alert: AdminAlert): Promise<number> {
  let inserted = 0;
  for (const [index, recipient] of alert.adminEmails.entries()) {
    const suffix = index === 0 ? '' : `:${recipient}`;
    const result = await tx.query(
      `INSERT INTO notification_outbox (business_key, channel, template, recipient, locale, payload, due_at, created_at, updated_at)
       VALUES ($1, 'email', $2, $3, $4, $5, $6, $6, $6) ON CONFLICT (business_key) DO NOTHING RETURNING id`,
      [`${alert.businessKey}${suffix}`, alert.template, recipient, alert.locale, JSON.stringify(alert.payload), alert.now],
    );
    inserted += result.rows.length;
  }
  return inserted;
}

export type NewNotice = {
  /** Unique per decision: `trial-reminder:{subscription}:{trial_end}`; deciding again inserts nothing. */
  businessKey: string;
  customerId: string | null;
  subscriptionId: string | null;
  channel: 'email' | 'sms';
  template: string;
  recipient: string;
  locale: 'nl' | 'en';
  payload: unknown;
  /** Not sent before this instant (an SMS in quiet hours is moved later by the sender, not here). */
  dueAt: Date;
  now: Date;
};

/** Writes one notice into the outbox inside the caller's transaction; true when it is new. */
export async function insertNotice(tx: Queryable, notice: NewNotice): Promise<boolean> {
  const result = await tx.query(
    `INSERT INTO notification_outbox (business_key, customer_id, subscription_id, channel, template, recipient, locale, payload, due_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (business_key) DO NOTHING RETURNING id`,
    [notice.businessKey, notice.customerId, notice.subscriptionId, notice.channel, notice.template, notice.recipient, notice.locale, JSON.stringify(notice.payload), notice.dueAt, notice.now],
  );
  return result.rows.length > 0;
}

/**
 * Cancels the subscription's notices of these templates that are still waiting (dunning once the
 * invoice is paid). A row already being sent is left to finish. Answers how many were canceled.
 */
export async function cancelPendingNotices(tx: Queryable, input: { subscriptionId: string; templates: readonly string[]; reason: string; now: Date }): Promise<number> {
  const result = await tx.query(
    `UPDATE notification_outbox SET status = 'canceled', last_error = $3, updated_at = $4
      WHERE subscription_id = $1 AND status = 'pending' AND template = ANY($2::text[]) RETURNING id`,
    [input.subscriptionId, input.templates, input.reason, input.now],
  );
  return result.rows.length;
}
