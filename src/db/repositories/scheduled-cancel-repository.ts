import type { Queryable } from '../database.ts';
import type { SubscriptionStatus } from '../../domain/subscription-status.ts';
import type { ScheduledCancel } from './subscription-repository.ts';

/**
 * recur's own cancel at period end (migration 0012), for providers that cancel only at once. Every
 * write is one conditional UPDATE, so the request, its undoing and the job's claim exclude each
 * other without "check then write": whoever changes the row first wins, the other changes nothing.
 */

/** Records the request on a trialing or active subscription not already set to end; false when it is not such a one (any more). */
export async function recordCancelByRecur(tx: Queryable, input: { subscriptionId: string; at: Date; requestedAt: Date; requestedBy: string }): Promise<boolean> {
  const result = await tx.query(
    `UPDATE subscriptions SET recur_cancel_at = $2, recur_cancel_requested_at = $3, recur_cancel_requested_by = $4, recur_cancel_claimed_at = NULL,
            cancel_at_period_end = true, canceled_at = $3, updated_at = $3
      WHERE id = $1 AND status IN ('trialing', 'active') AND NOT cancel_at_period_end AND recur_cancel_at IS NULL`,
    [input.subscriptionId, input.at, input.requestedAt, input.requestedBy],
  );
  return result.rowCount === 1;
}

export type UndoOutcome = 'undone' | 'claimed' | 'none';

/**
 * Undoes the request before the job took it (a resume): the subscription renews again, with
 * `resumed_at` so cancel links issued before no longer apply. 'claimed': a job run is cancelling
 * it at the provider right now (or died doing so; the next run finishes it), so it cannot be undone.
 */
export async function undoCancelByRecur(tx: Queryable, input: { subscriptionId: string; now: Date }): Promise<UndoOutcome> {
  const held = await tx.query<{ claimed: boolean }>(
    `SELECT recur_cancel_claimed_at IS NOT NULL AS claimed FROM subscriptions WHERE id = $1 AND recur_cancel_at IS NOT NULL AND status <> 'canceled' FOR UPDATE`,
    [input.subscriptionId],
  );
  const row = held.rows[0];
  if (!row) return 'none';
  if (row.claimed) return 'claimed';
  await tx.query(
    `UPDATE subscriptions SET recur_cancel_at = NULL, recur_cancel_requested_at = NULL, recur_cancel_requested_by = NULL,
            cancel_at_period_end = false, canceled_at = NULL, resumed_at = $2, updated_at = $2
      WHERE id = $1`,
    [input.subscriptionId, input.now],
  );
  return 'undone';
}

/** Takes the request out of the row while recur cancels the subscription now instead; `restoreCancelByRecur` puts it back if that fails. */
export async function setCancelByRecurAside(tx: Queryable, subscriptionId: string, options: { carriedOut?: boolean } = {}): Promise<boolean> {
  // A request the provider has carried out already is taken out whatever claim the run that made it left.
  const result = await tx.query(
    `UPDATE subscriptions SET recur_cancel_at = NULL, recur_cancel_requested_at = NULL, recur_cancel_requested_by = NULL, recur_cancel_claimed_at = NULL
      WHERE id = $1 AND recur_cancel_at IS NOT NULL AND ($2 OR recur_cancel_claimed_at IS NULL) AND status <> 'canceled'`,
    [subscriptionId, options.carriedOut === true],
  );
  return result.rowCount === 1;
}

export async function restoreCancelByRecur(tx: Queryable, subscriptionId: string, held: ScheduledCancel): Promise<void> {
  await tx.query(
    `UPDATE subscriptions SET recur_cancel_at = $2, recur_cancel_requested_at = $3, recur_cancel_requested_by = $4, cancel_at_period_end = true
      WHERE id = $1 AND recur_cancel_at IS NULL AND status <> 'canceled'`,
    [subscriptionId, held.at, held.requestedAt, held.requestedBy],
  );
}

/**
 * The requests due by `dueBy` that no live job run holds (a claim before `claimExpiredBefore` belonged
 * to a run that died) and the provider has not ended yet (`endedProviderStatuses`: recur shows such
 * a subscription running until its end, but there is nothing left to cancel).
 */
export async function findDueCancelsByRecur(db: Queryable, input: { claimExpiredBefore: Date; limit: number; endedProviderStatuses: readonly string[] }): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT id FROM subscriptions
      WHERE recur_cancel_at IS NOT NULL AND status <> 'canceled'
        AND (recur_cancel_claimed_at IS NULL OR recur_cancel_claimed_at < $1) AND provider_status <> ALL($3::text[])
      ORDER BY recur_cancel_at, id LIMIT $2`,
    [input.claimExpiredBefore, input.limit, input.endedProviderStatuses],
  );
  return result.rows.map((row) => row.id);
}

/** One job run's claim on a due request; false when another run holds it or it was undone or ended meanwhile. */
export async function claimCancelByRecur(db: Queryable, input: { subscriptionId: string; now: Date; claimExpiredBefore: Date; endedProviderStatuses: readonly string[] }): Promise<boolean> {
  const result = await db.query(
    `UPDATE subscriptions SET recur_cancel_claimed_at = $2
      WHERE id = $1 AND recur_cancel_at IS NOT NULL AND status <> 'canceled'
        AND (recur_cancel_claimed_at IS NULL OR recur_cancel_claimed_at < $3) AND provider_status <> ALL($4::text[])`,
    [input.subscriptionId, input.now, input.claimExpiredBefore, input.endedProviderStatuses],
  );
  return result.rowCount === 1;
}

/** The provider billed another period before recur's cancel: that period was paid for, so the end moves to its end. */
export async function moveCancelByRecur(db: Queryable, input: { subscriptionId: string; claimedAt: Date; at: Date }): Promise<void> {
  await db.query('UPDATE subscriptions SET recur_cancel_at = $3 WHERE id = $1 AND recur_cancel_claimed_at = $2', [input.subscriptionId, input.claimedAt, input.at]);
}

/** Gives the claim back after a failed attempt, so the next run tries again at once. */
export async function releaseCancelClaim(db: Queryable, input: { subscriptionId: string; claimedAt: Date }): Promise<void> {
  await db.query('UPDATE subscriptions SET recur_cancel_claimed_at = NULL WHERE id = $1 AND recur_cancel_claimed_at = $2', [input.subscriptionId, input.claimedAt]);
}

/**
 * The subscriptions recur holds set to cancel whose paid period has ended by `now` and which the
 * provider has ended (its status one of `endedProviderStatuses`): recur still shows them running
 * and ends them now. One the provider still runs is the cancel job's to cancel first.
 */
export async function findEndedCancelsByRecur(db: Queryable, input: { now: Date; limit: number; endedProviderStatuses: readonly string[] }): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT id FROM subscriptions
      WHERE recur_cancel_at IS NOT NULL AND status <> 'canceled' AND recur_cancel_at <= $1 AND provider_status = ANY($3::text[])
      ORDER BY recur_cancel_at, id LIMIT $2`,
    [input.now, input.limit, input.endedProviderStatuses],
  );
  return result.rows.map((row) => row.id);
}

export type EndingByRecur = { status: SubscriptionStatus; at: Date; providerUpdatedAt: Date };

/**
 * Locks one such subscription for the caller's transaction that ends it; null when it is not such a
 * one (any more): another run ended it meanwhile, or it changed.
 */
export async function lockEndingCancelByRecur(tx: Queryable, input: { subscriptionId: string; now: Date; endedProviderStatuses: readonly string[] }): Promise<EndingByRecur | null> {
  const result = await tx.query<{ status: SubscriptionStatus; recur_cancel_at: Date; provider_updated_at: Date }>(
    `SELECT status, recur_cancel_at, provider_updated_at FROM subscriptions
      WHERE id = $1 AND recur_cancel_at IS NOT NULL AND status <> 'canceled' AND recur_cancel_at <= $2 AND provider_status = ANY($3::text[])
      FOR UPDATE`,
    [input.subscriptionId, input.now, input.endedProviderStatuses],
  );
  const row = result.rows[0];
  return row ? { status: row.status, at: row.recur_cancel_at, providerUpdatedAt: row.provider_updated_at } : null;
}
