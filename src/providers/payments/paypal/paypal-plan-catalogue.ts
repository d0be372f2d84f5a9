import { IntervalUnit, SetupFeeFailureAction, TenureType, type BillingPlan, type PlanRequest } from '@paypal/paypal-server-sdk';
import type { BillingInterval } from '../../../domain/plan.ts';
import { createMoney } from '../../../domain/money.ts';
import { RecurError } from '../../../shared/errors.ts';
import { toPaypalValue } from './paypal-money.ts';
import type { PaypalSdkCalls } from './paypal-sdk-calls.ts';

/**
 * The one PayPal product all of recur's billing plans belong to. One, not one per catalogue plan:
 * PayPal revises a subscription only to a plan of the same product, and a monthly <-> yearly
 * switch is such a revision. Created with this id, so a second sync finds it by id.
 */
export const PAYPAL_PRODUCT_ID = 'recur-subscriptions';

/**
 * PayPal plans have no lookup key, so recur writes it into the plan's `description`: `recur_<plan>`
 * for the plan sold with the catalogue's trial, `recur_<plan>:no-trial` for its twin without one
 * (a PayPal plan carries its trial cycle, and a returning customer gets no second trial). The
 * newest ACTIVE plan of the product with that description is the one sold.
 */
const NO_TRIAL_SUFFIX = ':no-trial';

export type PlanVariant = 'trial' | 'no-trial';

export const descriptionOf = (lookupKey: string, variant: PlanVariant): string => (variant === 'trial' ? lookupKey : `${lookupKey}${NO_TRIAL_SUFFIX}`);

/** The lookup key a description names (either variant); null for a plan recur did not make. */
export function lookupKeyOfDescription(description: string | undefined): string | null {
  if (!description) return null;
  return description.endsWith(NO_TRIAL_SUFFIX) ? description.slice(0, -NO_TRIAL_SUFFIX.length) : description;
}

/** PayPal retries a failed payment and suspends the subscription after this many failures in a row. */
export const PAYMENT_FAILURE_THRESHOLD = 3;

const PAGE_SIZE = 20;

/** Every billing plan of recur's product (PayPal lists 20 a page, newest last). */
export async function listProductPlans(sdk: PaypalSdkCalls): Promise<BillingPlan[]> {
  const plans: BillingPlan[] = [];
  for (let page = 1; ; page++) {
    const answer = await sdk.listPlans({ productId: PAYPAL_PRODUCT_ID, page, pageSize: PAGE_SIZE });
    const found = answer.plans ?? [];
    plans.push(...found);
    if (found.length < PAGE_SIZE || (answer.totalPages !== undefined && page >= answer.totalPages)) return plans;
  }
}

/** The plan sold under a lookup key: the newest ACTIVE one with that description, read in full. */
export async function findPlanByLookupKey(sdk: PaypalSdkCalls, lookupKey: string, variant: PlanVariant): Promise<BillingPlan | null> {
  const description = descriptionOf(lookupKey, variant);
  const candidates = (await listProductPlans(sdk)).filter((plan) => plan.description === description && String(plan.status ?? '') === 'ACTIVE' && plan.id);
  // PayPal lists plans oldest first: of two made in the same second, the later listed is the newer.
  const newest = candidates.reduce<BillingPlan | undefined>((best, plan) => (!best || (Date.parse(plan.createTime ?? '') || 0) >= (Date.parse(best.createTime ?? '') || 0) ? plan : best), undefined);
  return newest ? sdk.getPlan(newest.id!) : null;
}

/** A billing plan in recur's convention: a trial cycle of `trialDays` days (when any), then the price every month or year without end. */
export function planRequest(input: { name: string; lookupKey: string; variant: PlanVariant; amountMinor: number; currency: string; interval: BillingInterval; trialDays: number }): PlanRequest {
  const withTrial = input.variant === 'trial' && input.trialDays > 0;
  const price = { currencyCode: input.currency, value: toPaypalValue(createMoney(input.amountMinor, input.currency)) };
  return {
    productId: PAYPAL_PRODUCT_ID,
    name: input.name,
    description: descriptionOf(input.lookupKey, input.variant),
    billingCycles: [
      ...(withTrial ? [{ tenureType: TenureType.Trial, sequence: 1, totalCycles: 1, frequency: { intervalUnit: IntervalUnit.Day, intervalCount: input.trialDays } }] : []),
      {
        tenureType: TenureType.Regular,
        sequence: withTrial ? 2 : 1,
        totalCycles: 0,
        frequency: { intervalUnit: input.interval === 'year' ? IntervalUnit.Year : IntervalUnit.Month, intervalCount: 1 },
        pricingScheme: { fixedPrice: price },
      },
    ],
    paymentPreferences: { autoBillOutstanding: true, paymentFailureThreshold: PAYMENT_FAILURE_THRESHOLD, setupFeeFailureAction: SetupFeeFailureAction.Cancel },
  };
}

/** Reads of plan ids into the lookup key recur gave them, kept for the process: recur never changes a plan's description. */
export function createPlanLookupKeys(sdk: PaypalSdkCalls): (planId: string | null) => Promise<string | null> {
  const known = new Map<string, string | null>();
  return async (planId) => {
    if (!planId) return null;
    if (known.has(planId)) return known.get(planId)!;
    const plan = await sdk.getPlan(planId);
    const lookupKey = plan?.productId === PAYPAL_PRODUCT_ID ? lookupKeyOfDescription(plan.description) : null;
    if (plan) known.set(planId, lookupKey);
    return lookupKey;
  };
}

/**
 * The plan to put a subscription on without a trial: the price's own plan when it has no trial
 * cycle, else its twin `recur_<plan>:no-trial` (a returning customer's checkout, a plan switch).
 */
export async function planWithoutTrial(sdk: PaypalSdkCalls, planId: string): Promise<string> {
  const plan = await sdk.getPlan(planId);
  const hasTrial = plan?.billingCycles?.some((cycle) => String(cycle.tenureType) === 'TRIAL') ?? false;
  if (!plan || !hasTrial) return planId;
  const lookupKey = lookupKeyOfDescription(plan.description);
  const twin = lookupKey ? await findPlanByLookupKey(sdk, lookupKey, 'no-trial') : null;
  if (!twin?.id) throw new RecurError('conflict', `PayPal plan ${planId} has no twin without the trial: run \`recur plans sync\``);
  return twin.id;
}
