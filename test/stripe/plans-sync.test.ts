import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import { syncPlansToProvider } from '../../src/services/sync/sync-plans-to-providers.ts';
import { startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';

describe('recur plans sync against the Stripe sandbox', () => {
  let kit: StripeKit;
  let stripe: Stripe;
  beforeAll(async () => {
    kit = await startStripe();
    stripe = kit.stripe;
  });
  afterAll(() => kit.stop());

  const countPrices = async () => (await stripe.prices.list({ limit: 100 })).data.length;

  it('creates a product and a recurring price per plan, and nothing on the second run', async () => {
    const gateway = createStripeGateway(stripe);
    const first = await syncPlansToProvider(gateway, defaultCatalogue.plans, 'nl');
    expect(first.map((r) => [r.planId, r.product, r.price])).toEqual([
      ['monthly', 'created', 'created'],
      ['yearly', 'created', 'created'],
    ]);
    const monthly = await stripe.prices.retrieve(first[0]!.priceId);
    expect(monthly).toMatchObject({ unit_amount: 2999, currency: 'eur', lookup_key: 'recur_monthly', recurring: { interval: 'month' } });
    expect((await stripe.prices.retrieve(first[1]!.priceId)).recurring?.interval).toBe('year');
    // One product name for every customer at Stripe: the plan's name in the shop's default locale.
    expect((await stripe.products.retrieve(first[0]!.productId)).name).toBe('Maandelijks');
    const prices = await countPrices();
    const products = (await stripe.products.list({ limit: 100 })).data.length;

    const second = await syncPlansToProvider(gateway, defaultCatalogue.plans, 'nl');
    expect(second.map((r) => [r.product, r.price])).toEqual([
      ['found', 'found'],
      ['found', 'found'],
    ]);
    expect(second.map((r) => r.priceId)).toEqual(first.map((r) => r.priceId));
    expect(await countPrices()).toBe(prices);
    expect((await stripe.products.list({ limit: 100 })).data.length).toBe(products);
  });

  it('moves the lookup key to a new price when the amount changes, on the same product', async () => {
    const gateway = createStripeGateway(stripe);
    const before = await syncPlansToProvider(gateway, defaultCatalogue.plans, 'nl');
    const dearer = defaultCatalogue.plans.map((plan) => (plan.id === 'monthly' ? { ...plan, amountMinor: 3499 } : plan));
    const after = await syncPlansToProvider(gateway, dearer, 'nl');
    expect(after[0]).toMatchObject({ price: 'replaced', productId: before[0]!.productId });
    expect(after[0]!.priceId).not.toBe(before[0]!.priceId);
    expect((await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data.map((p) => [p.id, p.unit_amount])).toEqual([[after[0]!.priceId, 3499]]);
    expect((await syncPlansToProvider(gateway, dearer, 'nl'))[0]!.price).toBe('found');
  });
});
