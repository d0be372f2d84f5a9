import { SubscriptionsController } from '@paypal/paypal-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../sandbox/core/start-sandbox.ts';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import type { ProviderOperations } from '../../src/providers/payments/provider-operations.ts';
import { readPlanPrices } from '../../src/services/plans/read-plan-prices.ts';
import { syncPlansToProvider } from '../../src/services/sync/sync-plans-to-providers.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { paypalSdk, startPaypalSandbox } from '../sandbox/paypal/paypal-kit.ts';
import { paypalGatewayFor } from './paypal-test-kit.ts';

describe('recur plans sync at PayPal', () => {
  let sandbox: RunningSandbox;
  let gateway: ProviderOperations;
  beforeAll(async () => {
    sandbox = await startPaypalSandbox();
    gateway = paypalGatewayFor(sandbox, new ManualClock());
  });
  afterAll(() => sandbox.stop());

  it('creates one product and, per plan, a billing plan with the catalogue\'s trial and its twin without; a second run finds them all', async () => {
    const plans = defaultCatalogue.plans;
    const first = await syncPlansToProvider(gateway, plans, 'nl');
    expect(first.map((result) => [result.planId, result.product, result.price, result.productId])).toEqual(plans.map((plan, index) => [plan.id, index === 0 ? 'created' : 'found', 'created', 'recur-subscriptions']));

    const listed = (await new SubscriptionsController(paypalSdk(sandbox.url)).listBillingPlans({ productId: 'recur-subscriptions', pageSize: 20 })).result.plans ?? [];
    expect(listed.map((plan) => plan.description).sort()).toEqual(plans.flatMap((plan) => (plan.trialDays > 0 ? [`recur_${plan.id}`, `recur_${plan.id}:no-trial`] : [`recur_${plan.id}`])).sort());
    const monthly = (await new SubscriptionsController(paypalSdk(sandbox.url)).getBillingPlan(first[0]!.priceId)).result;
    expect(monthly.billingCycles?.map((cycle) => [String(cycle.tenureType), String(cycle.frequency.intervalUnit), cycle.frequency.intervalCount])).toEqual([['TRIAL', 'DAY', plans[0]!.trialDays], ['REGULAR', 'MONTH', 1]]);
    expect(monthly.paymentPreferences).toMatchObject({ paymentFailureThreshold: 3, autoBillOutstanding: true });

    const second = await syncPlansToProvider(gateway, plans, 'nl');
    expect(second.map((result) => [result.price, result.priceId])).toEqual(first.map((result) => ['found', result.priceId]));
    expect([...(await readPlanPrices(gateway, plans)).values()].map((state) => state.state)).toEqual(plans.map(() => 'synced'));
  });

  it('a changed price gets a new plan under the same lookup key; the newest is the one sold', async () => {
    const plans = defaultCatalogue.plans.map((plan) => (plan.id === 'monthly' ? { ...plan, amountMinor: plan.amountMinor + 100 } : plan));
    const results = await syncPlansToProvider(gateway, plans, 'nl');
    const monthly = results.find((result) => result.planId === 'monthly')!;
    expect(monthly.price).toBe('replaced');
    expect(await gateway.findPriceByLookupKey('recur_monthly')).toMatchObject({ id: monthly.priceId, amountMinor: plans.find((plan) => plan.id === 'monthly')!.amountMinor, lookupKey: 'recur_monthly' });
  });
});
