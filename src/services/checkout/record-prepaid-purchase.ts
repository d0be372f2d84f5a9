import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { givingTime, insertPrepaidPeriod, listPrepaidPeriodsOfCustomer } from '../../db/repositories/prepaid-period-repository.ts';
import type { Plan } from '../../domain/plan.ts';
import { prepaidPeriodBought } from '../../domain/prepaid-period.ts';
import type { ProviderId } from '../../domain/provider.ts';
import type { ProviderPayment } from '../../providers/payments/provider-objects.ts';
import type { Actor } from '../service-context.ts';
import { recordProviderPayment } from '../sync/record-provider-payment.ts';
import type { EntitlementPolicy } from '../../domain/entitlement.ts';
import { recordEntitlementChange } from '../../outgoing-events/record-entitlement-change.ts';
import { lockCustomerForWrite } from '../../db/repositories/customer-repository.ts';

export type PrepaidPurchaseInput = {
  provider: ProviderId;
  customerId: string;
  /** The payment as the provider answered it: amount, currency, paid time are its facts. */
  payment: ProviderPayment;
  /** What recur wrote into the checkout when it opened it, read back from the provider. */
  prepaid: { planId: string; periods: number };
  version: Date;
  plans: readonly Plan[];
  entitlementPolicy: EntitlementPolicy;
  now: Date;
  actor: Actor;
};

export type PrepaidPurchaseOutcome = { outcome: 'recorded' | 'already_recorded'; prepaidPeriodId: string } | { outcome: 'not_recorded'; reason: string };

/**
 * A one-time checkout's payment (kind one_time) and, once the provider says it was paid, the
 * prepaid period it bought. The checkout return, the checkout webhook and the check before a new
 * checkout all come here; the period is keyed by the provider payment, so whichever comes first
 * writes it and the others find it. It starts at the payment's paid time, or where the customer's
 * prepaid time running then ends, so the row is the same whoever records it.
 */
export async function recordPrepaidPurchase(tx: Queryable, input: PrepaidPurchaseInput): Promise<PrepaidPurchaseOutcome> {
  const { payment, prepaid } = input;
  await recordProviderPayment(tx, { provider: input.provider, customerId: input.customerId, subscriptionId: null, payment, version: input.version, plans: input.plans, entitlementPolicy: input.entitlementPolicy, now: input.now, actor: input.actor });
  const plan = input.plans.find((candidate) => candidate.id === prepaid.planId);
  if (!plan) return { outcome: 'not_recorded', reason: `plan "${prepaid.planId}" is not in the catalogue` };
  // Pending (a SEPA debit under way) or failed: no time yet; the payment's own events finish it.
  if (!payment.paidAt) return { outcome: 'not_recorded', reason: `payment ${payment.id} is ${payment.status}, not paid` };

  await lockCustomerForWrite(tx, input.customerId);
  const periods = await listPrepaidPeriodsOfCustomer(tx, input.customerId);
  const same = periods.find((period) => period.provider === input.provider && period.providerPaymentId === payment.id);
  if (same) return { outcome: 'already_recorded', prepaidPeriodId: same.id };
  const paymentRow = await tx.query<{ id: string }>('SELECT id FROM payments WHERE provider = $1 AND provider_payment_id = $2', [input.provider, payment.id]);
  const { startsAt, endsAt } = prepaidPeriodBought(plan.interval, prepaid.periods, payment.paidAt, givingTime(periods));
  const inserted = await insertPrepaidPeriod(
    tx,
    { customerId: input.customerId, provider: input.provider, providerPaymentId: payment.id, paymentId: paymentRow.rows[0]!.id, planId: plan.id, interval: plan.interval, periods: prepaid.periods, startsAt, endsAt, amountMinor: payment.amountMinor, currency: payment.currency },
    input.now,
  );
  if (!inserted.inserted) return { outcome: 'already_recorded', prepaidPeriodId: inserted.id };
  await recordAudit(tx, {
    at: input.now,
    actor: input.actor,
    entity: 'customer',
    entityId: input.customerId,
    action: 'prepaid_period_recorded',
    before: null,
    after: { prepaidPeriodId: inserted.id, planId: plan.id, periods: prepaid.periods, startsAt, endsAt, amountMinor: payment.amountMinor, currency: payment.currency, providerPaymentId: payment.id },
  });
  // The payment's events were decided before the time it bought existed: the entitlement moves only now.
  await recordEntitlementChange(tx, { customerId: input.customerId, occurredAt: payment.paidAt }, { now: input.now, entitlementPolicy: input.entitlementPolicy });
  return { outcome: 'recorded', prepaidPeriodId: inserted.id };
}
