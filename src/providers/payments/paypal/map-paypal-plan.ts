import type { BillingPlan } from '@paypal/paypal-server-sdk';
import type { BillingInterval } from '../../../domain/plan.ts';
import { toMoney } from './paypal-money.ts';
import type { PaypalProviderPrice } from './paypal-provider-types.ts';

/**
 * The trial cycle's length in days (0 without one). A trial in months or years has no fixed number
 * of days, so it is -1: no catalogue trial equals it, and `recur plans sync` replaces the plan.
 */
function trialDaysOf(plan: BillingPlan): number {
  const trial = plan.billingCycles?.find((cycle) => String(cycle.tenureType) === 'TRIAL');
  if (!trial) return 0;
  const count = (trial.frequency.intervalCount ?? 1) * (trial.totalCycles ?? 1);
  const unit = String(trial.frequency.intervalUnit);
  return unit === 'DAY' ? count : unit === 'WEEK' ? count * 7 : -1;
}

/**
 * A billing plan as recur's price: the REGULAR cycle's fixed price and interval (one month or one
 * year; any other frequency is no interval recur sells), and its trial cycle in days. `lookupKey`:
 * the one recur gave it (paypal-plan-catalogue.ts), when the caller knows it. null for a plan
 * without a regular priced cycle.
 */
export function toPaypalProviderPrice(plan: BillingPlan, lookupKey: string | null = null): PaypalProviderPrice | null {
  const regular = plan.billingCycles?.find((cycle) => String(cycle.tenureType) === 'REGULAR');
  const price = regular?.pricingScheme?.fixedPrice;
  if (!plan.id || !plan.productId || !regular || !price) return null;
  const money = toMoney(price);
  const unit = String(regular.frequency.intervalUnit);
  const count = regular.frequency.intervalCount ?? 1;
  const interval: BillingInterval | null = count === 1 && unit === 'MONTH' ? 'month' : count === 1 && unit === 'YEAR' ? 'year' : null;
  return { id: plan.id, productId: plan.productId, lookupKey, amountMinor: money.amountMinor, currency: money.currency, interval, active: String(plan.status ?? '') === 'ACTIVE', trialDays: trialDaysOf(plan) };
}
