import { parseInt8, type Queryable } from '../database.ts';
import { SMS_CONSENT_COUNTS_SQL } from './customer-repository.ts';
import { SELECT_SUBSCRIPTIONS, toSubscriptionRecord, type SubscriptionRecord, type SubscriptionRow } from './subscription-repository.ts';

/** Who a customer notice goes to, and whether an SMS may go too. */
export type NoticeRecipient = {
  customerId: string;
  email: string;
  name: string | null;
  phone: string | null;
  locale: 'nl' | 'en';
  /** The customer's IANA zone; null: DEFAULT_TIME_ZONE. */
  timeZone: string | null;
  /** Consent counts while it is newer than any withdrawal (a STOP reply records one). */
  smsConsent: boolean;
};

export async function findNoticeRecipient(db: Queryable, customerId: string): Promise<NoticeRecipient | null> {
  const result = await db.query<{ id: string; email: string; name: string | null; phone: string | null; locale: 'nl' | 'en'; time_zone: string | null; sms_consent: boolean }>(
    `SELECT id, email, name, phone, locale, time_zone, ${SMS_CONSENT_COUNTS_SQL} AS sms_consent FROM customers WHERE id = $1`,
    [customerId],
  );
  const row = result.rows[0];
  return row ? { customerId: row.id, email: row.email, name: row.name, phone: row.phone, locale: row.locale, timeZone: row.time_zone, smsConsent: row.sms_consent } : null;
}

/** Locks the subscription for the rest of the transaction, so a notice is decided on its current state. */
export async function lockSubscriptionForNotice(tx: Queryable, subscriptionId: string): Promise<SubscriptionRecord | null> {
  const result = await tx.query<SubscriptionRow>(`${SELECT_SUBSCRIPTIONS} WHERE s.id = $1 FOR UPDATE OF s`, [subscriptionId]);
  return result.rows[0] ? toSubscriptionRecord(result.rows[0]) : null;
}

/** The amount of the subscription's most recent failed payment: what a dunning notice asks for. */
export async function latestFailedPaymentAmount(db: Queryable, subscriptionId: string): Promise<number | null> {
  const result = await db.query<{ amount_minor: string | number }>(
    `SELECT amount_minor FROM payments WHERE subscription_id = $1 AND status = 'failed' ORDER BY invoice_at DESC NULLS LAST, created_at DESC, id DESC LIMIT 1`,
    [subscriptionId],
  );
  const amount = result.rows[0]?.amount_minor;
  return amount === undefined ? null : typeof amount === 'number' ? amount : parseInt8(amount);
}

/** What the customer was sent about a renewal that waits for strong authentication. */
export type WaitingPaymentAction = { paymentId: string; amountDueMinor: number; actionUrl: string };

/**
 * The subscription's latest renewal that asked for the customer's authentication and is still
 * unpaid (waiting, or failed: the provider's next retry asks again), from the notice that asked:
 * the reminders repeat its link. null when no such notice was written or its payment was paid.
 */
export async function findWaitingPaymentAction(db: Queryable, subscriptionId: string): Promise<WaitingPaymentAction | null> {
  const result = await db.query<{ payload: { payment_id?: unknown; amount_due_minor?: unknown; action_url?: unknown } }>(
    `SELECT o.payload FROM notification_outbox o JOIN payments p ON p.id::text = o.payload->>'payment_id'
      WHERE o.subscription_id = $1 AND o.template = 'payment-action-required' AND o.channel = 'email' AND p.status IN ('pending', 'failed')
      ORDER BY o.created_at DESC, o.id DESC LIMIT 1`,
    [subscriptionId],
  );
  const payload = result.rows[0]?.payload;
  if (!payload || typeof payload.payment_id !== 'string' || typeof payload.amount_due_minor !== 'number' || typeof payload.action_url !== 'string') return null;
  return { paymentId: payload.payment_id, amountDueMinor: payload.amount_due_minor, actionUrl: payload.action_url };
}

/** How many cancellations of this subscription were confirmed before (through the customer's outbox index). */
export async function countCancellationNotices(db: Queryable, customerId: string, subscriptionId: string): Promise<number> {
  const result = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM notification_outbox
      WHERE customer_id = $1 AND subscription_id = $2 AND template = 'cancellation-confirmation' AND channel = 'email'`,
    [customerId, subscriptionId],
  );
  return result.rows[0]!.n;
}

/** Whether recur held any subscription before `end`: a month before the first one has nothing to report. */
export async function hasSubscriptionsBefore(db: Queryable, end: Date): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM subscriptions WHERE created_at < $1 LIMIT 1', [end]);
  return result.rows.length > 0;
}

/** Which of these business keys the outbox holds already. */
export async function findExistingOutboxKeys(db: Queryable, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const result = await db.query<{ business_key: string }>('SELECT business_key FROM notification_outbox WHERE business_key = ANY($1::text[])', [keys]);
  return new Set(result.rows.map((row) => row.business_key));
}

/** The raw figures of the monthly report: counts now, and what happened in [start, end). */
export type MonthlyFigures = {
  byStatus: { active: number; trialing: number; past_due: number };
  created: number;
  ended: number;
  /** Succeeded payments of the month less what was refunded of them, per currency. */
  revenue: { currency: string; amountMinor: number }[];
  /** Active and past-due subscriptions per plan, for the recurring revenue. */
  livePerPlan: { planId: string; count: number }[];
};

const int8 = (value: string | number): number => (typeof value === 'number' ? value : parseInt8(value));

// A subscription cancelled at period end ended with that period; canceled_at is when it was asked.
export const ENDED_AT = `CASE WHEN cancel_at_period_end AND current_period_end IS NOT NULL THEN current_period_end ELSE COALESCE(canceled_at, updated_at) END`;

export async function readMonthlyFigures(db: Queryable, month: { start: Date; end: Date }): Promise<MonthlyFigures> {
  const statuses = await db.query<{ status: 'active' | 'trialing' | 'past_due'; n: number }>(
    `SELECT status, count(*)::int AS n FROM subscriptions WHERE status IN ('active', 'trialing', 'past_due') GROUP BY status`,
  );
  const byStatus = { active: 0, trialing: 0, past_due: 0 };
  for (const row of statuses.rows) byStatus[row.status] = row.n;
  const created = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions WHERE created_at >= $1 AND created_at < $2', [month.start, month.end]);
  const ended = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM subscriptions WHERE status = 'canceled' AND ${ENDED_AT} >= $1 AND ${ENDED_AT} < $2`, [month.start, month.end]);
  const revenue = await db.query<{ currency: string; total: string | number }>(
    `SELECT currency, sum(amount_minor - amount_refunded_minor)::bigint AS total FROM payments
      WHERE status IN ('succeeded', 'partially_refunded', 'refunded') AND COALESCE(invoice_at, created_at) >= $1 AND COALESCE(invoice_at, created_at) < $2
      GROUP BY currency ORDER BY currency`,
    [month.start, month.end],
  );
  const live = await db.query<{ plan_id: string; n: number }>(`SELECT plan_id, count(*)::int AS n FROM subscriptions WHERE status IN ('active', 'past_due') GROUP BY plan_id ORDER BY plan_id`);
  return {
    byStatus,
    created: created.rows[0]!.n,
    ended: ended.rows[0]!.n,
    revenue: revenue.rows.map((row) => ({ currency: row.currency, amountMinor: int8(row.total) })),
    livePerPlan: live.rows.map((row) => ({ planId: row.plan_id, count: row.n })),
  };
}
