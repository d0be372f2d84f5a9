import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleDueNotices } from '../../src/notifications/schedule-due-notices.ts';
import { advanceDays, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { seedCustomer } from '../support/seed.ts';
import type { TestApp } from '../support/test-app.ts';
import { openTestDatabase, testDatabaseKinds } from '../support/test-database.ts';
import { eventFeeder, readAllEvents, startStripeTestApp, type Feeder } from './stripe-test-kit.ts';

const DAY = 86_400_000;
const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

/**
 * A renewal fails (Stripe's 0341 card: attaches, then declines), is retried three days later and
 * fails again; recur hears of it late and in the wrong order. Whatever the order, past_due_since is
 * the first failed charge's time, and the grace period and the dunning steps count from it.
 */
describe.each(testDatabaseKinds)('past_due_since on %s', (kind) => {
  let t: TestApp;
  let kit: StripeKit;
  let stripe: Stripe;
  let feed: Feeder;
  let subscriptionId = '';
  let customerId = '';
  let failedAt: Date;
  let upcoming: Stripe.Event;
  let lateEvents: Stripe.Event[] = [];

  beforeAll(async () => {
    ({ kit, stripe, t } = await startStripeTestApp(kind));
    feed = eventFeeder(kit, t.ctx.db, t.clock);
    await seedCustomer(t, 'shop-7001');
    const started = await t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { authorization: t.auth }, payload: { customer: 'shop-7001', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/' } });
    const { url, session_id } = started.json() as { url: string; session_id: string };
    await fetch(url, form({ card: 'pm_card_chargeCustomerFail', action: 'pay' }));
    const session = await stripe.checkout.sessions.retrieve(session_id);
    subscriptionId = session.subscription as string;
    customerId = session.customer as string;
    const early = await readAllEvents(stripe);
    for (const event of early) await feed(event);

    // Trial of 30 days: invoice.upcoming on day 23, the renewal fails on day 30, the retry on day 33.
    await advanceDays(kit.sandbox, 34);
    const seen = new Set(early.map((event) => event.id));
    lateEvents = (await readAllEvents(stripe)).filter((event) => !seen.has(event.id));
    upcoming = lateEvents.find((event) => event.type === 'invoice.upcoming')!;
    const charges = (await stripe.charges.list({ customer: customerId })).data.filter((charge) => charge.status === 'failed');
    expect(charges).toHaveLength(2);
    failedAt = new Date(Math.min(...charges.map((charge) => charge.created)) * 1000);
  });
  afterAll(async () => {
    await t.close();
    await kit.stop();
  });

  const notices = async (template: string) =>
    (await t.ctx.db.query<{ payload: Record<string, unknown> }>('SELECT payload FROM notification_outbox WHERE template = $1 ORDER BY created_at, id', [template])).rows.map((row) => row.payload);
  const pastDueSince = async (db = t.ctx.db) =>
    (await db.query<{ status: string; past_due_since: Date | null }>('SELECT status, past_due_since FROM subscriptions WHERE provider_subscription_id = $1', [subscriptionId])).rows[0];

  it('is the first failed charge when the late events come newest first, the week-old invoice.upcoming last', async () => {
    expect(upcoming.created * 1000).toBe(failedAt.getTime() - 7 * DAY);
    const newest = Math.max(...lateEvents.map((event) => event.created)) * 1000;
    expect(newest).toBeGreaterThan(failedAt.getTime());
    for (const event of [...lateEvents].reverse()) await feed(event);
    expect(await pastDueSince()).toEqual({ status: 'past_due', past_due_since: failedAt });
    // The payment-failed notice names the same moment, though the retry's events reported it first.
    expect(await notices('payment-failed')).toEqual([expect.objectContaining({ failed_at: failedAt.toISOString() })]);
  });

  it('counts the grace period from the failure', async () => {
    const entitlement = async (at: number) => {
      t.clock.set(new Date(at));
      return (await t.app.inject({ method: 'GET', url: '/v1/customers/shop-7001/entitlement', headers: { authorization: t.auth } })).json() as Record<string, unknown>;
    };
    expect(await entitlement(failedAt.getTime() + 7 * DAY - 1000)).toMatchObject({ entitled: true, reason: 'past_due_grace', until: new Date(failedAt.getTime() + 7 * DAY).toISOString() });
    expect(await entitlement(failedAt.getTime() + 7 * DAY)).toMatchObject({ entitled: false, reason: 'past_due_expired' });
  });

  it('counts the dunning steps (3, 7, 14 days) from the failure', async () => {
    const dunningKeys = async (at: number) => {
      await scheduleDueNotices(t.ctx, new Date(at));
      const rows = await t.ctx.db.query<{ business_key: string }>("SELECT business_key FROM notification_outbox WHERE business_key LIKE 'dunning:%' ORDER BY business_key");
      return [...new Set(rows.rows.map((row) => row.business_key.split(':').slice(2).join(':')))];
    };
    expect(await dunningKeys(failedAt.getTime() + 3 * DAY - 1000)).toEqual([]);
    expect(await dunningKeys(failedAt.getTime() + 3 * DAY)).toEqual([`${failedAt.toISOString()}:1`]);
    expect(await dunningKeys(failedAt.getTime() + 7 * DAY)).toEqual([`${failedAt.toISOString()}:1`, `${failedAt.toISOString()}:2`]);
  });

  it('is the same when the week-old invoice.upcoming is the first late event processed', async () => {
    const fresh = await openTestDatabase(kind);
    try {
      const feedFresh = eventFeeder(kit, fresh.db, t.clock);
      const early = (await readAllEvents(stripe)).filter((event) => !lateEvents.includes(event) && !lateEvents.some((late) => late.id === event.id));
      for (const event of early) await feedFresh(event);
      expect((await feedFresh(upcoming)).outcome).toBe('applied');
      expect(await pastDueSince(fresh.db)).toEqual({ status: 'past_due', past_due_since: failedAt });
      for (const event of lateEvents) await feedFresh(event);
      expect(await pastDueSince(fresh.db)).toEqual({ status: 'past_due', past_due_since: failedAt });
    } finally {
      await fresh.dispose();
    }
  });

  it('starts a new date for a new failure once the subscription was paid up in between', async () => {
    const seen = new Set((await readAllEvents(stripe)).map((event) => event.id));
    const newEvents = async () => (await readAllEvents(stripe)).filter((event) => !seen.has(event.id));
    const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: customerId });
    for (const invoice of (await stripe.invoices.list({ subscription: subscriptionId, status: 'open' })).data) await stripe.invoices.pay(invoice.id!, { payment_method: visa.id });
    for (const event of await newEvents()) {
      seen.add(event.id);
      await feed(event);
    }
    expect(await pastDueSince()).toEqual({ status: 'active', past_due_since: null });
    // Paid by the retry with the new card: the receipt's date is that charge's, not the first attempt's.
    const paid = (await stripe.charges.list({ customer: customerId })).data.find((charge) => charge.status === 'succeeded' && charge.amount > 0)!;
    expect(paid.created * 1000).toBeGreaterThan(failedAt.getTime());
    expect(await notices('receipt')).toEqual([expect.objectContaining({ payment: expect.objectContaining({ paid_at: new Date(paid.created * 1000).toISOString() }) })]);

    // The card fails again at the next renewal (28 February) and at its retry three days later.
    const failing = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customerId });
    await stripe.subscriptions.update(subscriptionId, { default_payment_method: failing.id });
    await advanceDays(kit.sandbox, 28);
    for (const event of (await newEvents()).reverse()) await feed(event);
    const failedCharges = (await stripe.charges.list({ customer: customerId })).data.filter((charge) => charge.status === 'failed' && charge.created * 1000 > failedAt.getTime() + 7 * DAY);
    expect(failedCharges).toHaveLength(2);
    const secondFailure = new Date(Math.min(...failedCharges.map((charge) => charge.created)) * 1000);
    expect(await pastDueSince()).toEqual({ status: 'past_due', past_due_since: secondFailure });
  });
});
