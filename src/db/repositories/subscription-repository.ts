import type { ProviderId } from '../../domain/provider.ts';
import type { SubscriptionStatus } from '../../domain/subscription-status.ts';
import type { Queryable } from '../database.ts';
import { readKeysetPage, type KeysetList, type Page, type PageRequest } from '../keyset-page.ts';

export type SubscriptionRecord = {
  id: string;
  customerId: string;
  customerExternalId: string;
  provider: ProviderId;
  providerSubscriptionId: string;
  planId: string;
  status: SubscriptionStatus;
  providerStatus: string;
  /**
   * When the customer took it, by the provider's record (migration 0025). recur's own first record
   * stands in only where the provider did not say.
   */
  signedUpAt: Date;
  trialEnd: Date | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  pastDueSince: Date | null;
  providerUpdatedAt: Date;
  /** When recur last recorded a pending cancel undone (a resume); cancel links issued before it no longer apply. */
  resumedAt: Date | null;
  /** A cancel at period end recur keeps itself (the provider only cancels at once); null: none. */
  scheduledCancel: ScheduledCancel | null;
  /** The SEPA mandate its debits are taken under (migration 0027); null: not paid by direct debit, or not known yet. */
  mandateReference: string | null;
  createdAt: Date;
  updatedAt: Date;
};

/**
 * recur's own cancel at period end: `at` is the end of the paid period it ends at, `claimedAt` when
 * a job run began cancelling at the provider (null: not yet, or that run gave up).
 */
export type ScheduledCancel = { at: Date; requestedAt: Date; requestedBy: string; claimedAt: Date | null };

/** What a provider says a subscription looks like at `providerUpdatedAt`. */
export type SubscriptionState = Omit<SubscriptionRecord, 'id' | 'customerExternalId' | 'resumedAt' | 'scheduledCancel' | 'mandateReference' | 'createdAt' | 'updatedAt' | 'signedUpAt'> & { signedUpAt: Date | null };

export type SubscriptionRow = {
  id: string;
  customer_id: string;
  customer_external_id: string;
  provider: ProviderId;
  provider_subscription_id: string;
  plan_id: string;
  status: SubscriptionStatus;
  provider_status: string;
  signed_up_at: Date;
  trial_end: Date | null;
  current_period_start: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  canceled_at: Date | null;
  past_due_since: Date | null;
  provider_updated_at: Date;
  resumed_at: Date | null;
  recur_cancel_at: Date | null;
  recur_cancel_requested_at: Date | null;
  recur_cancel_requested_by: string | null;
  recur_cancel_claimed_at: Date | null;
  mandate_reference: string | null;
  created_at: Date;
  updated_at: Date;
};

export const SELECT_SUBSCRIPTIONS = `SELECT s.*, c.external_id AS customer_external_id FROM subscriptions s JOIN customers c ON c.id = s.customer_id`;

export const toSubscriptionRecord = (row: SubscriptionRow): SubscriptionRecord => ({
  id: row.id,
  customerId: row.customer_id,
  customerExternalId: row.customer_external_id,
  provider: row.provider,
  providerSubscriptionId: row.provider_subscription_id,
  planId: row.plan_id,
  status: row.status,
  providerStatus: row.provider_status,
  signedUpAt: row.signed_up_at,
  trialEnd: row.trial_end,
  currentPeriodStart: row.current_period_start,
  currentPeriodEnd: row.current_period_end,
  cancelAtPeriodEnd: row.cancel_at_period_end,
  canceledAt: row.canceled_at,
  pastDueSince: row.past_due_since,
  providerUpdatedAt: row.provider_updated_at,
  resumedAt: row.resumed_at,
  scheduledCancel:
    row.recur_cancel_at && row.recur_cancel_requested_at && row.recur_cancel_requested_by
      ? { at: row.recur_cancel_at, requestedAt: row.recur_cancel_requested_at, requestedBy: row.recur_cancel_requested_by, claimedAt: row.recur_cancel_claimed_at }
      : null,
  mandateReference: row.mandate_reference,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export type UpsertOutcome = { outcome: 'inserted' | 'updated'; subscriptionId: string } | { outcome: 'stale' };

/**
 * Inserts or updates the row of one provider subscription. The WHERE on the update is the
 * version guard: a state older than the one stored changes nothing, so a late webhook can never
 * roll a subscription back. An equal version applies when it differs: Stripe's times are whole
 * seconds, and of two events in one second the later one must not be lost (its state is a fresh
 * read; ADR 0003). The same state again changes nothing ('stale'). A pending cancel undone by
 * the update (set to cancel before, renewing after) stamps `resumed_at` with recur's time: the
 * version is no time of the resume where reconciliation repairs (just after the last known state),
 * and a later stamp errs only on refusing a cancel link, never on honouring a stale one.
 */
export async function upsertSubscriptionState(tx: Queryable, state: SubscriptionState, now: Date): Promise<UpsertOutcome> {
  const result = await tx.query<{ id: string; inserted: boolean }>(
    `INSERT INTO subscriptions (customer_id, provider, provider_subscription_id, plan_id, status, provider_status, trial_end,
       current_period_start, current_period_end, cancel_at_period_end, canceled_at, past_due_since, provider_updated_at, created_at, updated_at, signed_up_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::timestamptz, $14::timestamptz, COALESCE($15::timestamptz, $14::timestamptz))
     ON CONFLICT (provider, provider_subscription_id) DO UPDATE SET
       plan_id = EXCLUDED.plan_id, status = EXCLUDED.status, provider_status = EXCLUDED.provider_status,
       signed_up_at = CASE WHEN $15::timestamptz IS NULL THEN subscriptions.signed_up_at ELSE EXCLUDED.signed_up_at END,
       trial_end = EXCLUDED.trial_end, current_period_start = EXCLUDED.current_period_start,
       current_period_end = EXCLUDED.current_period_end, cancel_at_period_end = EXCLUDED.cancel_at_period_end,
       canceled_at = EXCLUDED.canceled_at, past_due_since = EXCLUDED.past_due_since,
       provider_updated_at = EXCLUDED.provider_updated_at, updated_at = EXCLUDED.updated_at,
       resumed_at = CASE WHEN subscriptions.cancel_at_period_end AND NOT EXCLUDED.cancel_at_period_end AND EXCLUDED.status <> 'canceled'
                         THEN EXCLUDED.updated_at ELSE subscriptions.resumed_at END
     WHERE subscriptions.provider_updated_at < EXCLUDED.provider_updated_at
        OR (subscriptions.provider_updated_at = EXCLUDED.provider_updated_at
            AND (subscriptions.plan_id, subscriptions.status, subscriptions.provider_status, subscriptions.trial_end, subscriptions.current_period_start,
                 subscriptions.current_period_end, subscriptions.cancel_at_period_end, subscriptions.canceled_at, subscriptions.past_due_since,
                 subscriptions.signed_up_at)
                IS DISTINCT FROM (EXCLUDED.plan_id, EXCLUDED.status, EXCLUDED.provider_status, EXCLUDED.trial_end, EXCLUDED.current_period_start,
                 EXCLUDED.current_period_end, EXCLUDED.cancel_at_period_end, EXCLUDED.canceled_at, EXCLUDED.past_due_since,
                 CASE WHEN $15::timestamptz IS NULL THEN subscriptions.signed_up_at ELSE EXCLUDED.signed_up_at END))
     RETURNING id, (xmax = 0) AS inserted`,
    [
      state.customerId,
      state.provider,
      state.providerSubscriptionId,
      state.planId,
      state.status,
      state.providerStatus,
      state.trialEnd,
      state.currentPeriodStart,
      state.currentPeriodEnd,
      state.cancelAtPeriodEnd,
      state.canceledAt,
      state.pastDueSince,
      state.providerUpdatedAt,
      now,
      state.signedUpAt,
    ],
  );
  const row = result.rows[0];
  if (!row) return { outcome: 'stale' };
  return { outcome: row.inserted ? 'inserted' : 'updated', subscriptionId: row.id };
}

export async function findSubscription(db: Queryable, id: string): Promise<SubscriptionRecord | null> {
  const result = await db.query<SubscriptionRow>(`${SELECT_SUBSCRIPTIONS} WHERE s.id = $1`, [id]);
  return result.rows[0] ? toSubscriptionRecord(result.rows[0]) : null;
}

/** The subscriptions of these ids, in one query (an unknown id is left out). */
export async function findSubscriptionsByIds(db: Queryable, ids: readonly string[]): Promise<SubscriptionRecord[]> {
  if (ids.length === 0) return [];
  const result = await db.query<SubscriptionRow>(`${SELECT_SUBSCRIPTIONS} WHERE s.id = ANY($1::uuid[])`, [[...new Set(ids)]]);
  return result.rows.map(toSubscriptionRecord);
}

export async function listSubscriptionsOfCustomer(db: Queryable, customerId: string): Promise<SubscriptionRecord[]> {
  const result = await db.query<SubscriptionRow>(`${SELECT_SUBSCRIPTIONS} WHERE s.customer_id = $1 ORDER BY s.created_at DESC, s.id DESC`, [customerId]);
  return result.rows.map(toSubscriptionRecord);
}

export type SubscriptionFilter = PageRequest & { customerId?: string | undefined; status?: SubscriptionStatus | undefined };

const SUBSCRIPTION_LIST: KeysetList = {
  select: SELECT_SUBSCRIPTIONS,
  order: ['s.created_at', 's.id'],
  cursorRow: 'SELECT created_at, id FROM subscriptions WHERE id = $1',
  created: 's.created_at',
  what: 'subscription',
};

/** Newest first, keyset-paginated on (created_at, id) so pages stay stable while rows arrive. */
export function listSubscriptions(db: Queryable, filter: SubscriptionFilter): Promise<Page<SubscriptionRecord>> {
  return readKeysetPage(db, SUBSCRIPTION_LIST, [['s.customer_id = ?', filter.customerId], ['s.status = ?', filter.status]], filter, toSubscriptionRecord);
}

/**
 * Keeps the mandate a subscription's debits are taken under, as the provider's answer named it
 * (the checkout that set it up, a debit taken under it, its payment method); null: it is no longer
 * paid by debit. true when it changed.
 */
export async function recordSubscriptionMandate(tx: Queryable, subscriptionId: string, mandateReference: string | null, now: Date): Promise<boolean> {
  const result = await tx.query('UPDATE subscriptions SET mandate_reference = $2, updated_at = $3 WHERE id = $1 AND mandate_reference IS DISTINCT FROM $2', [subscriptionId, mandateReference, now]);
  return result.rowCount > 0;
}
