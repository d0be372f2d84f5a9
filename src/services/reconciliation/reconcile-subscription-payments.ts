import type { Queryable } from '../../db/database.ts';
import { findLastSucceededRunStart } from '../../db/repositories/reconciliation-run-repository.ts';
import type { ProviderPayment } from '../../providers/payments/provider-objects.ts';
import type { ListedSubscription } from '../../providers/payments/reconciliation-operations.ts';
import { recordProviderPayment } from '../sync/record-provider-payment.ts';
import type { RunScope } from './run-scope.ts';
import { entitlementPolicyOf } from '../entitlement/entitlement-policy.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * How far a window reaches back before the previous run's start (and forward past this run's):
 * a payment dated just before a run can appear in the provider's list just after it, and the two
 * clocks need not agree to the second.
 */
const OVERLAP_MS = DAY_MS;
const MINUTE_MS = 60_000;

/** recur's row of a listed subscription, with the time of the newest payment recur holds for it. */
type StoredPayer = { id: string; customerId: string; newestPaymentAt: Date | null };

/** When the window of this run's payment reads starts: the previous succeeded run's start less the overlap; null on a first run. */
export async function paymentWindowStart(scope: RunScope): Promise<Date | null> {
  const previous = await findLastSucceededRunStart(scope.ctx.db, scope.provider.id, scope.runId);
  return previous ? new Date(previous.getTime() - OVERLAP_MS) : null;
}

async function loadStoredPayers(db: Queryable, scope: RunScope, ids: readonly string[]): Promise<Map<string, StoredPayer>> {
  const result = await db.query<{ id: string; customer_id: string; provider_subscription_id: string; newest: Date | null }>(
    `SELECT s.id, s.customer_id, s.provider_subscription_id, max(p.invoice_at) AS newest
       FROM subscriptions s LEFT JOIN payments p ON p.subscription_id = s.id
      WHERE s.provider = $1 AND s.provider_subscription_id = ANY($2::text[])
      GROUP BY s.id, s.customer_id, s.provider_subscription_id`,
    [scope.provider.id, ids],
  );
  return new Map(result.rows.map((row) => [row.provider_subscription_id, { id: row.id, customerId: row.customer_id, newestPaymentAt: row.newest ? new Date(row.newest) : null }]));
}

/**
 * Where the read of one subscription's payments starts, or null when it needs none. Read: a
 * subscription the provider took or tried a payment on since the window's start (or that does not
 * say when it last did), and one whose newest payment recur lacks; from its creation when recur
 * holds none of its payments or no run succeeded before. Not read: a subscription never charged,
 * and one whose last payment activity the previous run's window already covered, so a run
 * without drift reads only what was paid since the previous run.
 */
function readFrom(listed: ListedSubscription, stored: StoredPayer, windowStart: Date | null): Date | null {
  const activity = listed.lastPaymentActivityAt;
  if (activity === null) return null;
  const created = new Date(listed.created.getTime() - MINUTE_MS);
  if (!windowStart || !stored.newestPaymentAt) return created;
  const behind = activity === undefined || activity.getTime() > stored.newestPaymentAt.getTime();
  if (!behind && activity.getTime() < windowStart.getTime()) return null;
  // recur lacks the newest payment: read from before the newest one it holds, whatever the window.
  const from = behind ? Math.min(windowStart.getTime(), stored.newestPaymentAt.getTime() - OVERLAP_MS) : windowStart.getTime();
  return new Date(Math.max(from, created.getTime()));
}

/**
 * The payments of one page of subscriptions, for a provider whose payments no events list
 * recovers (`listEvents` false: PayPal): each subscription that needs it (readFrom) has its
 * payments read in one request and merged through recordProviderPayment, the forward-only write
 * the webhooks use, so a payment already right changes nothing and one already further along
 * (refunded, disputed) is never moved back. Dates are the provider's. A recovered payment gets the
 * notices its webhook would have given, once (their business keys name the payment): the receipt
 * and refund receipt, late; no payment-failed notice for a declined attempt, since the webhooks
 * never record those either (the subscription's past-due state, repaired from the subscription,
 * drives dunning). Each new payment is a `missing_payment` item, each moved one `stale_payment`.
 */
export async function reconcileSubscriptionPayments(scope: RunScope, page: readonly ListedSubscription[], windowStart: Date | null): Promise<void> {
  if (page.length === 0) return;
  const stored = await loadStoredPayers(scope.ctx.db, scope, page.map((subscription) => subscription.id));
  for (const listed of page) {
    const row = stored.get(listed.id);
    const from = row ? readFrom(listed, row, windowStart) : null;
    if (!row || !from) continue;
    // Up to the newest activity the provider reported, on its own clock, or past this run's start.
    const to = new Date(Math.max(scope.ctx.clock.now().getTime() + OVERLAP_MS, (listed.lastPaymentActivityAt?.getTime() ?? 0) + MINUTE_MS));
    const payments = await scope.gateway.listSubscriptionPayments({ providerSubscriptionId: listed.id, from, to });
    for (const payment of payments) await recordRecoveredPayment(scope, row, payment);
  }
}

async function recordRecoveredPayment(scope: RunScope, row: StoredPayer, payment: ProviderPayment): Promise<void> {
  await scope.ctx.db.transaction(async (tx) => {
    const recorded = await recordProviderPayment(tx, {
      provider: scope.provider.id,
      customerId: row.customerId,
      subscriptionId: row.id,
      payment,
      version: payment.at,
      plans: scope.ctx.config.catalogue.plans,
      entitlementPolicy: entitlementPolicyOf(scope.ctx.config),
      now: scope.ctx.clock.now(),
      actor: scope.actor,
      failureNotice: false,
    });
    if (recorded.outcome === 'unchanged') return;
    const found = { status: payment.status, amount_minor: payment.amountMinor, currency: payment.currency, amount_refunded_minor: payment.amountRefundedMinor, at: payment.at.toISOString() };
    await scope.record(tx, {
      kind: recorded.outcome === 'inserted' ? 'missing_payment' : 'stale_payment',
      providerObjectId: payment.id,
      recurId: recorded.payment.id,
      found,
      action: `${recorded.outcome === 'inserted' ? 'recorded' : 'repaired'} from ${scope.provider.name}`,
    });
  });
}
