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
