import { afterEach, describe, expect, it } from 'vitest';
import { runTimeDrivenJobsNow } from '../../src/jobs/run-time-driven-jobs-now.ts';
import { onDay, PAYS, RENEWALS_FAIL, startPaypalRecur, subscriptionRow, type PaypalRecur } from '../paypal/events/paypal-events-kit.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { eventsOf, expectDataAsTheApiAnswers, expectIncreasingSequences, lastOfType, since, typesOf } from './outgoing-events-kit.ts';

/**
 * The facts of the Stripe scenario, through PayPal: a trial, its conversion, a renewal, a declined
 * renewal, a cancel at period end through recur's API and its end. The same event types follow.
 */
describe.each(testDatabaseKinds)('outgoing events from PayPal subscriptions on %s', (kind) => {
  let recur: PaypalRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  }, 120_000);

  it('records the same event types as Stripe for the same facts', async () => {
    recur = await startPaypalRecur(kind);
    const running = recur;
    const db = running.t.ctx.db;
    const api = async (method: string, path: string, body?: unknown) => {
      const answer = await running.t.app.inject({ method: method as 'GET', url: path, headers: { authorization: running.t.auth }, ...(body ? { payload: body as object } : {}) });
      return new Response(answer.body, { status: answer.statusCode, headers: { 'content-type': 'application/json' } });
    };
    const externalIdOf = async (customerId: string) => (await db.query<{ external_id: string }>('SELECT external_id FROM customers WHERE id = $1', [customerId])).rows[0]!.external_id;

    const paying = await running.subscribe(PAYS, { email: 'sanne@example.nl', name: 'Sanne Jansen', locale: 'nl' });
    const declined = await running.subscribe(RENEWALS_FAIL, { email: 'daan@example.nl', name: 'Daan Smit', locale: 'nl' });
    await running.settle();
    const payer = await externalIdOf(paying.customerId);
    const decliner = await externalIdOf(declined.customerId);
    let events = await eventsOf(db, payer);
    expect(typesOf(events)).toEqual(['customer.created', 'subscription.created', 'subscription.trial_started', 'entitlement.changed']);
    expect(lastOfType(events, 'entitlement.changed')!.data).toMatchObject({ customer: payer, entitled: true, reason: 'trialing' });
    await expectDataAsTheApiAnswers(api, events, payer);

    // The trial converts (the first month paid) on day 30; the decliner's first charge is declined.
    let seen = events.length;
    await running.moveToDay(31);
    events = await eventsOf(db, payer);
    expect(typesOf(since(events, seen)).sort()).toEqual(['entitlement.changed', 'payment.succeeded', 'subscription.activated']);
    await expectDataAsTheApiAnswers(api, events, payer);
    const declinedEvents = await eventsOf(db, decliner);
    expect(typesOf(declinedEvents.slice(4)).sort()).toEqual(['entitlement.changed', 'payment.failed', 'subscription.past_due']);
    expect(lastOfType(declinedEvents, 'payment.failed')).toMatchObject({ occurredAt: onDay(30).toISOString(), data: { customer: decliner, status: 'failed', amount_minor: 2999, currency: 'EUR' } });
    expect(lastOfType(declinedEvents, 'entitlement.changed')!.data).toMatchObject({ entitled: true, reason: 'past_due_grace' });

    // A month later it renews.
    seen = events.length;
    await running.moveToDay(61);
    events = await eventsOf(db, payer);
    expect(typesOf(since(events, seen)).sort()).toEqual(['entitlement.changed', 'payment.succeeded', 'subscription.renewed']);
    await expectDataAsTheApiAnswers(api, events, payer);

    // Cancelled through recur's API: recur keeps the cancel at period end; at the end it is canceled.
    const [row] = (await db.query<{ id: string }>("SELECT id FROM subscriptions WHERE provider = 'paypal' AND provider_subscription_id = $1", [paying.subscriptionId])).rows;
    seen = events.length;
    expect((await api('POST', `/v1/subscriptions/${row!.id}/cancel`, { at: 'period_end' })).status).toBe(200);
    await running.settle();
    events = await eventsOf(db, payer);
    expect(typesOf(since(events, seen))).toEqual(['subscription.cancel_scheduled']);
    // Recorded before recur cancelled at PayPal, which then reports its own word (provider_status
    // CANCELLED) while recur shows the subscription running to its end: no news for the shop.
    const { provider_status: _now, updated_at: _updated, ...shown } = (await (await api('GET', `/v1/subscriptions/${row!.id}`)).json()) as Record<string, unknown>;
    expect(lastOfType(events, 'subscription.cancel_scheduled')!.data).toMatchObject({ ...shown, provider_status: 'ACTIVE', status: 'active', cancel_at_period_end: true });

    seen = events.length;
    await running.moveToDay(92);
    await runTimeDrivenJobsNow(running.t.ctx.jobs!);
    await poll('the subscription ended in recur', async () => ((await subscriptionRow(running.t, paying.subscriptionId))?.status === 'canceled' ? true : null));
    await poll('the entitlement recorded', async () => ((await eventsOf(db, payer)).length > seen + 1 ? true : null));
    events = await eventsOf(db, payer);
    // Time ends the access at the period's end; the job or the write of the end may notice it first.
    expect(typesOf(since(events, seen)).sort()).toEqual(['entitlement.changed', 'subscription.canceled']);
    expect(lastOfType(events, 'entitlement.changed')!.data).toMatchObject({ entitled: false, reason: 'canceled' });
    await expectDataAsTheApiAnswers(api, events, payer);
    expectIncreasingSequences(events);
    expectIncreasingSequences(await eventsOf(db, decliner));
  }, 300_000);
});
