import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { recordLapsedEntitlementsJob } from '../../src/jobs/record-lapsed-entitlements.ts';
import { advanceSandboxDays, apiOf, signUp } from '../notifications/notice-scenario-kit.ts';
import { startRunningRecur, waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { eventsOf, expectDataAsTheApiAnswers, expectIncreasingSequences, lastOfType, since, typesOf } from './outgoing-events-kit.ts';

const CUSTOMER = 'shop-7001';

/** The customer's card on file at Stripe is replaced: `pm_card_chargeCustomerFail` attaches, then every charge is declined. */
async function putCardOnFile(recur: RunningRecur, email: string, card: string): Promise<void> {
  const stripe = recur.kit.stripe;
  const [customer] = (await stripe.customers.list({ email, limit: 1 })).data;
  const method = await stripe.paymentMethods.attach(card, { customer: customer!.id });
  await stripe.customers.update(customer!.id, { invoice_settings: { default_payment_method: method.id } });
  const [subscription] = (await stripe.subscriptions.list({ customer: customer!.id, limit: 1 })).data;
  await stripe.subscriptions.update(subscription!.id, { default_payment_method: method.id });
  const open = (await stripe.invoices.list({ customer: customer!.id, status: 'open', limit: 10 })).data;
  if (card === 'pm_card_visa') for (const invoice of open) await stripe.invoices.pay(invoice.id!, { payment_method: method.id });
}

describe.each(testDatabaseKinds)('outgoing events from a Stripe subscription on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  });

  it('records each fact once, numbered per customer, with the objects as the API shows them', async () => {
    recur = await startRunningRecur(kind, null, { settings: { PAST_DUE_GRACE_DAYS: 7 } });
    const running = recur;
    const api = apiOf(running);
    const db = running.t.ctx.db;
    const settle = async () => {
      await waitUntilSettled(running);
    };
    const email = 'femke@example.nl';

    // Sign-up with a 30-day trial: the redirect records it, the webhooks confirm it and add nothing.
    const { subscriptionId } = await signUp(running, { externalId: CUSTOMER, email, name: 'Femke Bakker', plan: 'monthly', card: 'pm_card_visa' });
    await running.startWorker();
    await settle();
    let events = await eventsOf(db, CUSTOMER);
    expect(typesOf(events)).toEqual(['customer.created', 'subscription.created', 'subscription.trial_started', 'entitlement.changed']);
    const subscription = (await (await api('GET', `/v1/subscriptions/${subscriptionId}`)).json()) as { trial_end: string; current_period_start: string };
    expect(lastOfType(events, 'entitlement.changed')!.data).toMatchObject({ customer: CUSTOMER, entitled: true, reason: 'trialing', until: subscription.trial_end, subscription_id: subscriptionId });
    expect(lastOfType(events, 'subscription.trial_started')!.occurredAt).toBe(subscription.current_period_start);
    expect(events[0]!.data).toMatchObject({ external_id: CUSTOMER, email });
    await expectDataAsTheApiAnswers(api, events, CUSTOMER);

    // The trial ends and the first month is paid; a month later it renews.
    let seen = events.length;
    await advanceSandboxDays(running, 31);
    await settle();
    events = await eventsOf(db, CUSTOMER);
    expect(typesOf(since(events, seen)).sort()).toEqual(['entitlement.changed', 'payment.succeeded', 'subscription.activated'].sort());
    expect(lastOfType(events, 'entitlement.changed')!.data).toMatchObject({ entitled: true, reason: 'active' });
    const firstPayment = lastOfType(events, 'payment.succeeded')!;
    expect(firstPayment.data).toMatchObject({ customer: CUSTOMER, subscription_id: subscriptionId, amount_minor: 2999, currency: 'EUR', status: 'succeeded', amount_refunded_minor: 0 });
    await expectDataAsTheApiAnswers(api, events, CUSTOMER);

    seen = events.length;
    await advanceSandboxDays(running, 31);
    await settle();
    events = await eventsOf(db, CUSTOMER);
    expect(typesOf(since(events, seen)).sort()).toEqual(['entitlement.changed', 'payment.succeeded', 'subscription.renewed'].sort());
    const renewed = lastOfType(events, 'subscription.renewed')!;
    expect(renewed.occurredAt).toBe(renewed.data['current_period_start']);
    expect(renewed.businessKey).toBe(`subscription.renewed:${subscriptionId}:${String(renewed.data['current_period_start'])}`);
    await expectDataAsTheApiAnswers(api, events, CUSTOMER);

    // The next renewal is declined: the payment fails and the subscription is past due, in its grace.
    await putCardOnFile(running, email, 'pm_card_chargeCustomerFail');
    seen = events.length;
    await advanceSandboxDays(running, 31);
    await settle();
    events = await eventsOf(db, CUSTOMER);
    const afterFailure = typesOf(since(events, seen));
    expect(afterFailure).toEqual(expect.arrayContaining(['payment.failed', 'subscription.past_due', 'entitlement.changed']));
    expect(afterFailure.filter((type) => type === 'payment.failed')).toHaveLength(1);
    expect(lastOfType(events, 'entitlement.changed')!.data).toMatchObject({ entitled: true, reason: 'past_due_grace' });
    await expectDataAsTheApiAnswers(api, events, CUSTOMER);

    // The grace runs out with no write to say so (the provider's retries of the declined invoice
    // change no row): the job records it at the grace's end, once however often it runs (the
    // worker's schedule may have run it already).
    const graceEnd = String(lastOfType(events, 'entitlement.changed')!.data['until']);
    seen = events.length;
    await advanceSandboxDays(running, 7);
    await settle();
    const job = recordLapsedEntitlementsJob(running.t.ctx);
    await job.handle({}, { jobId: 'test', attempt: 1 });
    await job.handle({}, { jobId: 'test', attempt: 1 });
    events = await eventsOf(db, CUSTOMER);
    const lapsed = since(events, seen).filter((event) => event.type === 'entitlement.changed');
    expect(lapsed.map((event) => event.data)).toEqual([expect.objectContaining({ entitled: false, reason: 'past_due_expired', until: null })]);
    expect(lapsed[0]!.occurredAt).toBe(graceEnd);
    await expectDataAsTheApiAnswers(api, events, CUSTOMER);

    // A working card pays the open invoice: a renewal that had failed went through (it paid before).
    seen = events.length;
    await putCardOnFile(running, email, 'pm_card_visa');
    await settle();
    events = await eventsOf(db, CUSTOMER);
    expect(typesOf(since(events, seen))).toContain('subscription.renewed');
    expect(typesOf(since(events, seen))).not.toContain('subscription.activated');
    // Then the customer cancels through recur's API.
    seen = events.length;
    const canceled = await api('POST', `/v1/subscriptions/${subscriptionId}/cancel`, { at: 'period_end' });
    expect(canceled.status).toBe(200);
    await settle();
    events = await eventsOf(db, CUSTOMER);
    expect(typesOf(since(events, seen))).toEqual(['subscription.cancel_scheduled']);
    await expectDataAsTheApiAnswers(api, events, CUSTOMER);

    seen = events.length;
    await advanceSandboxDays(running, 31);
    await settle();
    events = await eventsOf(db, CUSTOMER);
    // Time ends the access at the period's end; the job or the write of the end may notice it first.
    expect(typesOf(since(events, seen)).sort()).toEqual(['entitlement.changed', 'subscription.canceled']);
    expect(lastOfType(events, 'entitlement.changed')!.data).toMatchObject({ entitled: false, reason: 'canceled' });
    await expectDataAsTheApiAnswers(api, events, CUSTOMER);
    expectIncreasingSequences(events);

    // Every provider event delivered once more, signed: all duplicates at the inbox, and even
    // processed again (the inbox rows reset), they change no row and so record nothing.
    const stored = await db.query<{ payload: unknown }>('SELECT payload FROM webhook_inbox ORDER BY id');
    for (const { payload } of stored.rows) {
      const body = JSON.stringify(payload);
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: running.endpointSecret, timestamp: Math.floor(running.kit.sandbox.ctx.clock.now().getTime() / 1000) });
      const again = await fetch(`${running.baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body });
      expect(await again.json()).toEqual({ received: true, duplicate: true });
    }
    await db.query("UPDATE webhook_inbox SET status = 'received', attempts = 0, next_attempt_at = $1 WHERE status = 'processed'", [running.kit.sandbox.ctx.clock.now()]);
    await running.t.ctx.webhooks.wakeWorker?.();
    await settle();
    expect(await eventsOf(db, CUSTOMER)).toEqual(events);
    console.info(`[${kind}] ${typesOf(events).join(', ')}`);
  }, 300_000);

  it('a first charge after the trial, declined and then paid, activates the subscription (it renews nothing)', async () => {
    recur = await startRunningRecur(kind, null, { settings: { PAST_DUE_GRACE_DAYS: 7 } });
    const running = recur;
    const db = running.t.ctx.db;
    const email = 'joris@example.nl';
    await signUp(running, { externalId: 'shop-7002', email, name: 'Joris Visser', plan: 'monthly', card: 'pm_card_chargeCustomerFail' });
    await running.startWorker();
    await advanceSandboxDays(running, 31);
    await waitUntilSettled(running);
    let events = await eventsOf(db, 'shop-7002');
    expect(typesOf(events)).toEqual(expect.arrayContaining(['subscription.trial_started', 'payment.failed', 'subscription.past_due']));
    expect(typesOf(events)).not.toContain('subscription.activated');

    const seen = events.length;
    await putCardOnFile(running, email, 'pm_card_visa');
    await waitUntilSettled(running);
    events = await eventsOf(db, 'shop-7002');
    expect(typesOf(since(events, seen)).sort()).toEqual(['entitlement.changed', 'payment.succeeded', 'subscription.activated']);
    expect(lastOfType(events, 'entitlement.changed')!.data).toMatchObject({ entitled: true, reason: 'active' });
    expectIncreasingSequences(events);
  }, 300_000);
});
