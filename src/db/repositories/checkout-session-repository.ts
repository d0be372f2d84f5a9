import type { ProviderId } from '../../domain/provider.ts';
import type { Queryable } from '../database.ts';

export type CheckoutSessionRecord = {
  provider: ProviderId;
  providerSessionId: string;
  customerId: string;
  planId: string;
  returnUrl: string;
  status: 'open' | 'complete' | 'expired';
  subscriptionId: string | null;
  createdAt: Date;
  updatedAt: Date;
};

type Row = {
  provider: ProviderId;
  provider_session_id: string;
  customer_id: string;
  plan_id: string;
  return_url: string;
  status: CheckoutSessionRecord['status'];
  subscription_id: string | null;
  created_at: Date;
  updated_at: Date;
};

const toRecord = (row: Row): CheckoutSessionRecord => ({
  provider: row.provider,
  providerSessionId: row.provider_session_id,
  customerId: row.customer_id,
  planId: row.plan_id,
  returnUrl: row.return_url,
  status: row.status,
  subscriptionId: row.subscription_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The provider's idempotency answers the same session id again on a retry: then nothing changes. */
export async function insertCheckoutSession(
  tx: Queryable,
  session: Pick<CheckoutSessionRecord, 'provider' | 'providerSessionId' | 'customerId' | 'planId' | 'returnUrl'>,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO checkout_sessions (provider, provider_session_id, customer_id, plan_id, return_url, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING`,
    [session.provider, session.providerSessionId, session.customerId, session.planId, session.returnUrl, now],
  );
}

export async function findCheckoutSession(db: Queryable, provider: ProviderId, providerSessionId: string): Promise<CheckoutSessionRecord | null> {
  const result = await db.query<Row>('SELECT * FROM checkout_sessions WHERE provider = $1 AND provider_session_id = $2', [provider, providerSessionId]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

/** 'complete' and 'expired' are final: a late 'open' never reopens a session. */
export async function settleCheckoutSession(
  tx: Queryable,
  key: { provider: ProviderId; providerSessionId: string },
  change: { status: CheckoutSessionRecord['status']; subscriptionId: string | null },
  now: Date,
): Promise<boolean> {
  const result = await tx.query(
    `UPDATE checkout_sessions SET status = CASE WHEN status = 'open' THEN $3 ELSE status END,
       subscription_id = COALESCE(subscription_id, $4), updated_at = $5
     WHERE provider = $1 AND provider_session_id = $2
       AND ((status = 'open' AND $3 <> 'open') OR (subscription_id IS NULL AND $4::uuid IS NOT NULL))`,
    [key.provider, key.providerSessionId, change.status, change.subscriptionId, now],
  );
  return result.rowCount === 1;
}

/** The customer's sessions recur still holds open, opened since `since`, oldest first. */
export async function listOpenCheckoutSessionsOfCustomer(db: Queryable, provider: ProviderId, customerId: string, since: Date): Promise<CheckoutSessionRecord[]> {
  const result = await db.query<Row>(
    "SELECT * FROM checkout_sessions WHERE provider = $1 AND customer_id = $2 AND status = 'open' AND created_at >= $3 ORDER BY created_at, provider_session_id",
    [provider, customerId, since],
  );
  return result.rows.map(toRecord);
}

/** The locale of the customer a session was opened for; null for a session recur did not open. */
export async function findCheckoutSessionLocale(db: Queryable, provider: ProviderId, providerSessionId: string): Promise<'nl' | 'en' | null> {
  const result = await db.query<{ locale: 'nl' | 'en' }>(
    'SELECT c.locale FROM checkout_sessions s JOIN customers c ON c.id = s.customer_id WHERE s.provider = $1 AND s.provider_session_id = $2',
    [provider, providerSessionId],
  );
  return result.rows[0]?.locale ?? null;
}
