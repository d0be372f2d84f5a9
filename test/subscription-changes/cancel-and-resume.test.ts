import { afterEach, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { waitUntilSettled } from '../stripe/running-recur.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { insertPaypalSubscription, PLANS_BY_LOOKUP_KEY, readSubscription, sandboxTruth, startChangeKit, type ChangeKit, type SubscriptionJson } from './change-kit.ts';

describe.each(testDatabaseKinds)('cancel and resume through recur (%s)', (kind) => {
  let kit: ChangeKit | undefined;
  afterEach(async () => {
    await kit?.recur.close();
    kit = undefined;
  });

  it('cancels at period end (the default), resumes, and cancels now; each recorded at once and equal to Stripe after the webhooks', async () => {
    kit = await startChangeKit(kind);
    const { api, recur } = kit;
    const stripe = recur.kit.stripe;
    const recorded = await kit.subscribe('shop-6001', 'monthly');
    await recur.startWorker();
    await kit.advance({ days: 35 });
    await waitUntilSettled(recur);

    const cancelled = await api('POST', `/v1/subscriptions/${recorded.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const scheduled = (await cancelled.json()) as SubscriptionJson;
    expect(scheduled).toMatchObject({ status: 'active', cancel_at_period_end: true, canceled_at: expect.any(String) });
    expect((await stripe.subscriptions.retrieve(recorded.provider_subscription_id)).cancel_at_period_end).toBe(true);
    await waitUntilSettled(recur);
    expect(await readSubscription(kit, recorded.id)).toMatchObject(await sandboxTruth(kit, recorded.provider_subscription_id, PLANS_BY_LOOKUP_KEY));
    expect(await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/cancel`, { at: 'period_end' }), 409, 'conflict')).toMatch(/already set to cancel/);

    // A day later the customer changes their mind.
    await kit.advance({ days: 1 });
    const resumed = await api('POST', `/v1/subscriptions/${recorded.id}/resume`);
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toMatchObject({ status: 'active', cancel_at_period_end: false, canceled_at: null });
    await waitUntilSettled(recur);
    expect(await readSubscription(kit, recorded.id)).toMatchObject({ ...(await sandboxTruth(kit, recorded.provider_subscription_id, PLANS_BY_LOOKUP_KEY)), cancel_at_period_end: false });
    expect(await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/resume`, {}), 409, 'conflict')).toMatch(/nothing to resume/);

    await kit.advance({ days: 1 });
    const ended = await api('POST', `/v1/subscriptions/${recorded.id}/cancel`, { at: 'now' });
    expect(ended.status).toBe(200);
    expect(await ended.json()).toMatchObject({ status: 'canceled', canceled_at: recur.kit.sandbox.ctx.clock.now().toISOString() });
    expect((await stripe.subscriptions.retrieve(recorded.provider_subscription_id)).status).toBe('canceled');
    await waitUntilSettled(recur);
    expect(await readSubscription(kit, recorded.id)).toMatchObject(await sandboxTruth(kit, recorded.provider_subscription_id, PLANS_BY_LOOKUP_KEY));
    const actions = (await listAuditEntries(recur.t.ctx.db, 'subscription', recorded.id)).filter((entry) => entry.actor.startsWith('api_key:')).map((entry) => entry.action);
    expect(actions.filter((action) => action !== 'sync')).toEqual(['cancel_scheduled', 'resumed', 'canceled']);

    // Cancelling a canceled one, or resuming it, changes nothing.
    expect(await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/cancel`, { at: 'now' }), 409, 'conflict')).toMatch(/already canceled/);
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/resume`), 409, 'conflict');
  });

  it('refuses unknown, foreign-provider and malformed requests, and writes nothing', async () => {
    kit = await startChangeKit(kind);
    const { api } = kit;
    const recorded = await kit.subscribe('shop-6002', 'yearly');
    const paypal = await insertPaypalSubscription(kit, 'shop-6003');
    const unknown = '00000000-0000-4000-8000-000000000000';
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${unknown}/cancel`, {}), 404, 'not_found');
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${unknown}/resume`), 404, 'not_found');
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/not-a-uuid/cancel`, {}), 400, 'validation_failed');
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/cancel`, { at: 'tomorrow' }), 400, 'validation_failed');
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/resume`, { please: true }), 400, 'validation_failed');
    // A PayPal subscription where PayPal is not configured: 503 naming its settings, nothing written.
    expect(await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${paypal}/cancel`, {}), 503, 'not_ready')).toMatch(/PayPal is not configured/);
    await kit.expectNothingWritten(() => api('POST', `/v1/subscriptions/${recorded.id}/cancel`, {}, null), 401, 'unauthorized');
    expect((await kit.recur.kit.stripe.subscriptions.retrieve(recorded.provider_subscription_id)).cancel_at_period_end).toBe(false);
  });
});
