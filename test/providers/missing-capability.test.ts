import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderCapabilities } from '../../src/providers/payments/provider-capabilities.ts';
import { createStripeProvider } from '../../src/providers/payments/stripe/stripe-provider.ts';
import { createPaymentProviders } from '../../src/services/payment-providers.ts';
import type { StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { stripeGatewayOf } from '../support/payment-providers.ts';
import { seedCustomer } from '../support/seed.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { PUBLIC_BASE_URL, startStripeTestApp, tableCounts } from '../stripe/stripe-test-kit.ts';

/**
 * A provider declares what it cannot do, and recur answers 409 not_supported_by_provider with the
 * reason before it asks the provider for anything. The test provider is Stripe's adapter with
 * capabilities taken away, so a request that reached the adapter would succeed instead.
 */
describe.each(testDatabaseKinds)('a capability the provider lacks, through HTTP (%s)', (kind) => {
  let t: TestApp;
  let kit: StripeKit;
  let calls: string[];
  beforeAll(async () => {
    ({ kit, t } = await startStripeTestApp(kind));
    const gateway = stripeGatewayOf(t.ctx);
    calls = [];
    const counted = new Proxy(gateway, {
      get: (target, name: string) => {
        const member = target[name as keyof typeof target];
        return typeof member === 'function' ? (...args: unknown[]) => (calls.push(name), (member as (...a: unknown[]) => unknown).apply(target, args)) : member;
      },
    });
    const stripe = createStripeProvider(counted);
    const lacking: ProviderCapabilities = { ...stripe.capabilities, billingPortal: false, trialOnCheckout: false, oneTimeCheckout: false };
    t.ctx.payments = createPaymentProviders([{ ...stripe, name: 'Limited', capabilities: lacking }], PUBLIC_BASE_URL);
  });
  afterAll(async () => {
    await t.close();
    await kit.stop();
  });

  const post = (url: string, payload: Record<string, unknown>, auth: string | null = t.auth) =>
    t.app.inject({ method: 'POST', url, headers: { ...(auth ? { authorization: auth } : {}), 'x-request-id': 'req-capability-1' }, payload });

  it('refuses the billing portal, a trial checkout and a one-time checkout with 409 and the reason; nothing reaches the provider or the database', async () => {
    await seedCustomer(t, 'shop-9101', { name: 'Lotte Visser', locale: 'nl' });
    const before = await tableCounts(t.ctx.db);
    calls.length = 0;

    const portal = await post('/v1/customers/shop-9101/billing-portal', { return_url: 'https://shop.example/account' });
    expect(portal.statusCode).toBe(409);
    expect(portal.json()).toEqual({ error: { code: 'not_supported_by_provider', message: 'Limited cannot open a billing portal for the customer', requestId: 'req-capability-1' } });

    const trial = await post('/v1/checkout', { customer: 'shop-9101', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/' });
    expect([trial.statusCode, trial.json().error]).toEqual([409, { code: 'not_supported_by_provider', message: 'Limited cannot start a subscription checkout with a free trial', requestId: 'req-capability-1' }]);

    const oneTime = await post('/v1/checkout', { customer: 'shop-9101', plan: 'yearly', provider: 'stripe', mode: 'one_time', return_url: 'https://shop.example/' });
    expect([oneTime.statusCode, oneTime.json().error.message]).toEqual([409, 'Limited cannot take a one-time payment at checkout']);

    expect(calls).toEqual([]);
    expect(await tableCounts(t.ctx.db)).toEqual(before);
  });

  it('still answers 401 before any capability check for a request without a key', async () => {
    const refused = await post('/v1/customers/shop-9101/billing-portal', { return_url: 'https://shop.example/account' }, null);
    expect([refused.statusCode, refused.json().error.code]).toEqual([401, 'unauthorized']);
  });
});
