import type { BillingPlan } from '@paypal/paypal-server-sdk';
import type { BillingInterval } from '../../../domain/plan.ts';
import { toMoney } from './paypal-money.ts';
import type { PaypalProviderPrice } from './paypal-provider-types.ts';

/**
 * A billing plan as recur's price: the REGULAR cycle's fixed price and interval (one month or one
 * year; any other frequency is no interval recur sells). null for a plan without a regular priced cycle.
 */
export function toPaypalProviderPrice(plan: BillingPlan): PaypalProviderPrice | null {
  const regular = plan.billingCycles?.find((cycle) => String(cycle.tenureType) === 'REGULAR');
  const price = regular?.pricingScheme?.fixedPrice;
  if (!plan.id || !plan.productId || !regular || !price) return null;
  const money = toMoney(price);
  const unit = String(regular.frequency.intervalUnit);
  const count = regular.frequency.intervalCount ?? 1;
  const interval: BillingInterval | null = count === 1 && unit === 'MONTH' ? 'month' : count === 1 && unit === 'YEAR' ? 'year' : null;
  return { id: plan.id, productId: plan.productId, lookupKey: null, amountMinor: money.amountMinor, currency: money.currency, interval, active: String(plan.status ?? '') === 'ACTIVE' };
}
