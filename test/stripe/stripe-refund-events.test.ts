import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import type { StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import type { TestApp } from '../support/test-app.ts';
import { openTestDatabase, testDatabaseKinds } from '../support/test-database.ts';
import { eventFeeder, readAllEvents, startStripeTestApp } from './stripe-test-kit.ts';

type Refunds = { status: string; actor: string; failure: string | null; amount: number }[];

/**
 * Stripe's refund events through the processor, in any order and twice: a card refund that fails
 * an hour after it succeeded (`pm_card_refundFail`) and a refund that stays, both made at Stripe,
 * end in the same rows from the events newest first as oldest first. A signed event about a
 * refund Stripe does not have is ignored.
 */
describe.each(testDatabaseKinds)('Stripe refund events on %s', (kind) => {
  let t: TestApp;
  let kit: StripeKit;
  let stripe: Stripe;
  let intent: Stripe.PaymentIntent;

  beforeAll(async () => {
    ({ kit, stripe, t } = await startStripeTestApp(kind));
    const customer = await stripe.customers.create({ email: 'refunds@example.nl' });
    intent = await stripe.paymentIntents.create({ amount: 5000, currency: 'eur', customer: customer.id, payment_method: 'pm_card_refundFail', confirm: true });
    await stripe.refunds.create({ payment_intent: intent.id, amount: 2000 });
    await stripe.refunds.create({ payment_intent: intent.id, amount: 500, reason: 'duplicate' });
    const advanced = await fetch(`${kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 3_600 }) });
    expect(advanced.ok).toBe(true);
  });
  afterAll(async () => {
    await t.close();
    await kit.stop();
  });

  const stateOf = async (db: Database) => ({
    payment: (await db.query('SELECT status, amount_refunded_minor::int AS refunded FROM payments WHERE provider_payment_id = $1', [intent.id])).rows,
    refunds: (await db.query<Refunds[number]>('SELECT status, actor, failure, amount_minor::int AS amount, reason, request_key FROM refunds ORDER BY request_key')).rows,
  });

  it('ends with both refunds failed and nothing refunded, from the events in either order, each twice', async () => {
    const events = await readAllEvents(stripe);
    expect(events.filter((event) => event.type.includes('refund')).map((event) => event.type)).toEqual([
      'refund.created', 'charge.refunded', 'refund.created', 'charge.refunded',
      'refund.updated', 'charge.refund.updated', 'refund.failed', 'refund.updated', 'charge.refund.updated', 'refund.failed',
    ]);
    const states = [];
    for (const order of [events, [...events].reverse()]) {
      const fresh = await openTestDatabase(kind);
      try {
        const feed = eventFeeder(kit, fresh.db, t.clock);
        for (const event of order) {
          await feed(event);
          await feed(event);
        }
        states.push(await stateOf(fresh.db));
      } finally {
        await fresh.dispose();
      }
    }
    expect(states[0]).toEqual({
      payment: [{ status: 'succeeded', refunded: 0 }],
      refunds: expect.arrayContaining([
        expect.objectContaining({ status: 'failed', actor: 'provider', failure: 'expired_or_canceled_card', amount: 2000, reason: 'made at the provider' }),
        expect.objectContaining({ status: 'failed', actor: 'provider', failure: 'expired_or_canceled_card', amount: 500, reason: 'duplicate' }),
      ]),
    });
    expect(states[0]!.refunds).toHaveLength(2);
    expect(states[1]).toEqual(states[0]);
  });

  it('ignores a signed refund event about a refund Stripe does not have', async () => {
    const [created] = (await readAllEvents(stripe)).filter((event) => event.type === 'refund.created');
    const forged = { ...created!, id: 'evt_forged_refund', data: { object: { ...(created!.data.object as object), id: 're_not_at_stripe' } } } as Stripe.Event;
    const outcome = await eventFeeder(kit, t.ctx.db, t.clock)(forged);
    expect(outcome).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('refund re_not_at_stripe does not exist at Stripe') });
    expect((await t.ctx.db.query('SELECT 1 FROM refunds')).rows).toEqual([]);
  });
});
