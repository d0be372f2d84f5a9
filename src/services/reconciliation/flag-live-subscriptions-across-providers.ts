import { alertSeveralLive } from './flag-several-live-subscriptions.ts';
import type { RunScope } from './run-scope.ts';

type AcrossRow = { customer_id: string; external_id: string; subscriptions: { provider: string; id: string; status: string }[] };

/**
 * A customer live at two providers at once (a Stripe subscription and a PayPal one) pays twice;
 * no provider's own list can show it, recur's rows can. Run after the provider's subscriptions
 * were brought up to date, for the customers with a live subscription at that provider (each
 * provider's run sees the incidents it is part of; the alert goes once per set of subscriptions).
 * Nothing is canceled: which one stays is for a person to decide.
 */
export async function flagLiveSubscriptionsAcrossProviders(scope: RunScope): Promise<number> {
  const found = await scope.ctx.db.query<AcrossRow>(
    `SELECT c.id AS customer_id, c.external_id,
            json_agg(json_build_object('provider', s.provider, 'id', s.provider_subscription_id, 'status', s.status) ORDER BY s.provider, s.provider_subscription_id) AS subscriptions
       FROM subscriptions s
       JOIN customers c ON c.id = s.customer_id
      WHERE s.status IN ('trialing', 'active', 'past_due')
        AND s.customer_id IN (SELECT customer_id FROM subscriptions WHERE provider = $1 AND status IN ('trialing', 'active', 'past_due'))
      GROUP BY c.id, c.external_id
     HAVING count(DISTINCT s.provider) > 1`,
    [scope.provider.id],
  );
  for (const row of found.rows) {
    const subscriptions = row.subscriptions.map((subscription) => ({ id: `${subscription.provider}:${subscription.id}`, status: subscription.status }));
    const providers = [...new Set(row.subscriptions.map((subscription) => subscription.provider))];
    await scope.ctx.db.transaction((tx) =>
      alertSeveralLive(scope, tx, {
        incident: `alert:several-live-subscriptions:across:${row.customer_id}:${subscriptions.map((subscription) => subscription.id).join(',')}`,
        customerId: row.customer_id,
        entityId: row.customer_id,
        providerLabel: providers.join(' + '),
        ownerLabel: row.external_id,
        subscriptions,
      }),
    );
  }
  return found.rows.length;
}
