import { findCustomersPastRecordedEntitlement } from '../db/repositories/recorded-entitlement-repository.ts';
import { entitlementPolicyOf } from '../services/entitlement/entitlement-policy.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { recordEntitlementChange } from './record-entitlement-change.ts';

const PAGE = 100;

/**
 * The entitlement changes no write causes: a trial set to end that ends with no word from the provider, a
 * past-due grace that runs out, prepaid time or a cancelled subscription's last paid day that
 * lapses. Each customer whose recorded entitlement's `until` has passed is decided again, in its
 * own transaction, and a change is recorded at the time it happened (that `until`). One whose
 * entitlement has not moved (a renewal or a trial's conversion still in flight) stays due and is asked again next run.
 */
export async function recordLapsedEntitlements(ctx: Pick<ServiceContext, 'db' | 'config'>, now: Date): Promise<{ checked: number; changed: number }> {
  const policy = entitlementPolicyOf(ctx.config);
  let checked = 0;
  let changed = 0;
  let after: { until: Date; id: string } | null = null;
  for (;;) {
    const due = await findCustomersPastRecordedEntitlement(ctx.db, { now, limit: PAGE, after });
    for (const customer of due) {
      checked += 1;
      const recorded = await ctx.db.transaction((tx) => recordEntitlementChange(tx, { customerId: customer.id, occurredAt: customer.until }, { now, entitlementPolicy: policy }));
      if (recorded) changed += 1;
    }
    if (due.length < PAGE) return { checked, changed };
    after = due[due.length - 1]!;
  }
}
