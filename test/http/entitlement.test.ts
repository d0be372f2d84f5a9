import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const DAY = 86_400_000;

describe.each(testDatabaseKinds)('entitlement on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { pastDueGraceDays: 7 });
  });
  afterAll(() => t.close());

  const entitlement = async (customer: string) => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/customers/${customer}/entitlement`, headers: { authorization: t.auth } });
    return { status: response.statusCode, body: response.json() };
  };

  it('grants a trialing customer until the trial ends, and past it only while the trial converts', async () => {
    const customer = await seedCustomer(t, 'trial-anna');
    const trialEnd = new Date(t.clock.now().getTime() + 30 * DAY);
    const subscriptionId = await seedSubscription(t, customer, { status: 'trialing', providerStatus: 'trialing', trialEnd, currentPeriodEnd: trialEnd });
    expect(await entitlement('trial-anna')).toEqual({
      status: 200,
      body: { customer: 'trial-anna', entitled: true, reason: 'trialing', until: trialEnd.toISOString(), subscription_id: subscriptionId, checked_at: t.clock.now().toISOString() },
    });

    const start = t.clock.now();
    t.clock.set(new Date(trialEnd.getTime() + 1000));
    // Over and set to convert: the provider's word on the first charge is still to come.
    expect((await entitlement('trial-anna')).body).toMatchObject({ entitled: true, reason: 'trialing', until: trialEnd.toISOString(), subscription_id: subscriptionId });
    t.clock.set(start);

    const ending = await seedCustomer(t, 'trial-ending-eva');
    await seedSubscription(t, ending, { status: 'trialing', providerStatus: 'trialing', trialEnd, currentPeriodEnd: trialEnd, cancelAtPeriodEnd: true });
    expect((await entitlement('trial-ending-eva')).body).toMatchObject({ entitled: true, reason: 'trialing' });
    t.clock.set(new Date(trialEnd.getTime() + 1000));
    expect((await entitlement('trial-ending-eva')).body).toMatchObject({ entitled: false, reason: 'trial_expired', until: null, subscription_id: null });
    t.clock.set(start);
  });

  it('keeps a past_due customer entitled through the grace period only', async () => {
    const customer = await seedCustomer(t, 'late-bram');
    const start = t.clock.now();
    await seedSubscription(t, customer, { status: 'past_due', providerStatus: 'past_due', pastDueSince: start, currentPeriodEnd: start });
    t.clock.set(new Date(start.getTime() + 6 * DAY));
    expect((await entitlement('late-bram')).body).toMatchObject({ entitled: true, reason: 'past_due_grace' });
    t.clock.set(new Date(start.getTime() + 7 * DAY));
    expect((await entitlement('late-bram')).body).toMatchObject({ entitled: false, reason: 'past_due_expired' });
    t.clock.set(start);
  });

  it('denies a customer without subscriptions, and a banned customer whatever they pay', async () => {
    await seedCustomer(t, 'nobody-yet');
    expect((await entitlement('nobody-yet')).body).toMatchObject({ entitled: false, reason: 'no_subscription' });

    const customer = await seedCustomer(t, 'fraud-carl');
    await seedSubscription(t, customer);
    expect((await entitlement('fraud-carl')).body).toMatchObject({ entitled: true, reason: 'active' });
    await t.app.inject({ method: 'PATCH', url: '/v1/customers/fraud-carl', headers: { authorization: t.auth }, payload: { banned: true, banned_reason: 'stolen cards' } });
    expect((await entitlement('fraud-carl')).body).toMatchObject({ entitled: false, reason: 'banned' });
  });

  it('answers 404 for an unknown customer and 401 without a key', async () => {
    expect(await entitlement('ghost')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const response = await t.app.inject({ method: 'GET', url: '/v1/customers/trial-anna/entitlement' });
    expect(response.statusCode).toBe(401);
  });
});
