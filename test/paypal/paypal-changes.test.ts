import { SubscriptionsController } from '@paypal/paypal-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxStart } from '../sandbox/paypal/paypal-kit.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startPaypalTestApp, subscribeThroughRecur, type PaypalTestApp } from './paypal-test-kit.ts';

const DAY_MS = 86_400_000;
const onDay = (day: number) => new Date(sandboxStart.getTime() + day * DAY_MS);

describe.each(testDatabaseKinds)('changes to a PayPal subscription through recur\'s API on %s', (kind) => {
  let kit: PaypalTestApp;
  let subscriptions: SubscriptionsController;
  beforeAll(async () => {
    kit = await startPaypalTestApp(kind);
    subscriptions = new SubscriptionsController(kit.paypal);
  }, 60_000);
  afterAll(() => kit.stop());

  const api = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => kit.t.app.inject({ method, url, headers: { authorization: kit.t.auth }, ...(payload === undefined ? {} : { payload }) });
  const returning = async (externalId: string) => {
    const customerId = await seedCustomer(kit.t, externalId);
    await seedSubscription(kit.t, customerId, { provider: 'paypal', providerSubscriptionId: `I-ENDED${externalId.replace(/\W/g, '').toUpperCase()}`, status: 'canceled', providerStatus: 'CANCELLED', canceledAt: kit.t.clock.now() });
  };
  const planDescriptionOf = async (paypalId: string) => (await subscriptions.getBillingPlan((await subscriptions.getSubscription({ id: paypalId })).result.planId!)).result.description;

  it('monthly to yearly on an active subscription: the preview charges nothing now and the yearly price at the next billing, and the switch is that revision', async () => {
    await returning('ch-3001');
    const { paypalId, subscriptionId } = await subscribeThroughRecur(kit, 'ch-3001', 'monthly');
    const nextBilling = new Date((await subscriptions.getSubscription({ id: paypalId })).result.billingInfo!.nextBillingTime!);
    expect(nextBilling.toISOString()).toBe(new Date(Date.UTC(2026, 3, 1, 10)).toISOString());

    const preview = await api('POST', `/v1/subscriptions/${subscriptionId}/switch/preview`, { plan: 'yearly' });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ from_plan: 'monthly', to_plan: 'yearly', amount_due: { amount_minor: 0, currency: 'EUR' }, lines: [], next_renewal: { at: nextBilling.toISOString(), amount_minor: 29990, currency: 'EUR' } });

    // Asking for proration (the preview's proration_date) is what PayPal cannot do.
    const prorated = await api('POST', `/v1/subscriptions/${subscriptionId}/switch`, { plan: 'yearly', proration_date: kit.t.clock.now().toISOString() });
    expect([prorated.statusCode, prorated.json().error.code]).toEqual([409, 'not_supported_by_provider']);
    expect(prorated.json().error.message).toBe('PayPal cannot prorate a plan switch (charge or credit the difference at once)');

    const switched = await api('POST', `/v1/subscriptions/${subscriptionId}/switch`, { plan: 'yearly' });
    expect(switched.statusCode).toBe(200);
    expect(switched.json().invoice).toBeNull();
    // Effective at the next billing: PayPal still bills monthly until then.
    expect(await planDescriptionOf(paypalId)).toBe('recur_monthly:no-trial');
    await kit.sandbox.advance(onDay(31));
    expect(await planDescriptionOf(paypalId)).toBe('recur_yearly:no-trial');
    const charges = await kit.gateway.listCustomerCharges((await kit.gateway.retrieveSubscription(paypalId))!.providerCustomerId!, { createdSince: onDay(0) });
    expect(charges.map((charge) => [charge.amountMinor, charge.created.toISOString()])).toEqual([[29990, nextBilling.toISOString()], [2999, onDay(0).toISOString()]]);
  });

  it('a trialing subscription switches with its trial continuing: nothing now, the new plan charged at the trial end', async () => {
    await seedCustomer(kit.t, 'ch-3002');
    const { subscriptionId } = await subscribeThroughRecur(kit, 'ch-3002', 'yearly');
    const read = (await api('GET', `/v1/subscriptions/${subscriptionId}`)).json() as { trial_end: string; status: string };
    expect(read.status).toBe('trialing');
    const preview = await api('POST', `/v1/subscriptions/${subscriptionId}/switch/preview`, { plan: 'monthly' });
    expect(preview.json()).toMatchObject({ amount_due: { amount_minor: 0 }, next_renewal: { at: read.trial_end, amount_minor: 2999 } });
  });

  it('cancel: at period end cancels at PayPal at once and runs on in recur until the end; cancel now then ends it in recur', async () => {
    await seedCustomer(kit.t, 'ch-3003');
    const { paypalId, subscriptionId } = await subscribeThroughRecur(kit, 'ch-3003', 'monthly');
    const atPeriodEnd = await api('POST', `/v1/subscriptions/${subscriptionId}/cancel`, {});
    expect(atPeriodEnd.statusCode, atPeriodEnd.body).toBe(200);
    expect(atPeriodEnd.json()).toMatchObject({ status: 'trialing', provider_status: 'CANCELLED', cancel_at_period_end: true });
    expect((await subscriptions.getSubscription({ id: paypalId })).result.status).toBe('CANCELLED');
    expect((await api('GET', '/v1/customers/ch-3003/entitlement')).json()).toMatchObject({ entitled: true, reason: 'trialing' });

    const now = await api('POST', `/v1/subscriptions/${subscriptionId}/cancel`, { at: 'now' });
    expect(now.statusCode).toBe(200);
    expect(now.json()).toMatchObject({ status: 'canceled', provider_status: 'CANCELLED' });
    expect((await subscriptions.getSubscription({ id: paypalId })).result.status).toBe('CANCELLED');
    expect((await api('GET', '/v1/customers/ch-3003/entitlement')).json()).toMatchObject({ entitled: false, reason: 'canceled' });
  });
});
