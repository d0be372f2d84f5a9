import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceDays, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { eventFeeder, readAllEvents, startStripeTestApp, type Feeder } from './stripe-test-kit.ts';

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

type OutboxRow = { business_key: string; channel: string; template: string; payload: { action_url?: string; payment_id?: string; amount_due_minor?: number } };

/**
 * `invoice.payment_action_required` through the processor: the notice follows what Stripe answers
 * for the invoice (open, its payment waiting for 3D Secure), once per payment however often the
 * events come; an event about an invoice Stripe already holds paid writes no notice.
 */
describe.each(testDatabaseKinds)('invoice.payment_action_required on %s', (kind) => {
  let t: TestApp;
  let kit: StripeKit;
  let stripe: Stripe;
  let feed: Feeder;

  beforeAll(async () => {
    ({ kit, stripe, t } = await startStripeTestApp(kind));
    feed = eventFeeder(kit, t.ctx.db, t.clock);
  });
  afterAll(async () => {
    await t.close();
    await kit.stop();
  });

  /** A card that needs authentication on every payment, charged off-session when a 1-day trial ends. */
  async function renewalNeedingAuthentication(email: string) {
    const customer = await stripe.customers.create({ email, payment_method: 'pm_card_authenticationRequired', invoice_settings: { default_payment_method: 'pm_card_authenticationRequired' } });
    const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 1 });
    await advanceDays(kit.sandbox, 2);
    const invoice = (await stripe.subscriptions.retrieve(subscription.id, { expand: ['latest_invoice'] })).latest_invoice as Stripe.Invoice;
    expect(invoice.status).toBe('open');
    return { customer, invoice };
  }

  const feedEventsOf = async (customer: string) => {
    const events = (await readAllEvents(stripe)).filter((event) => (event.data.object as { customer?: unknown }).customer === customer);
    const outcomes: string[] = [];
    for (const event of events) outcomes.push(`${event.type}: ${(await feed(event)).outcome}`);
    return { events, outcomes };
  };

  const outboxOf = async (email: string) =>
    (await t.ctx.db.query<OutboxRow>(`SELECT o.business_key, o.channel, o.template, o.payload FROM notification_outbox o JOIN customers c ON c.id = o.customer_id WHERE c.email = $1 AND o.template = 'payment-action-required' ORDER BY o.business_key`, [email])).rows;

  it('writes one notice with the hosted invoice page, read back from Stripe, however often the events come', async () => {
    const { customer, invoice } = await renewalNeedingAuthentication('waits@example.nl');
    const { events, outcomes } = await feedEventsOf(customer.id);
    expect(outcomes).toContain('invoice.payment_action_required: applied');
    const rows = await outboxOf('waits@example.nl');
    const payment = await t.ctx.db.query<{ id: string }>('SELECT p.id FROM payments p JOIN customers c ON c.id = p.customer_id WHERE c.email = $1', ['waits@example.nl']);
    expect(rows).toEqual([{ business_key: `payment-action-required:${payment.rows[0]!.id}`, channel: 'email', template: 'payment-action-required', payload: expect.objectContaining({ action_url: invoice.hosted_invoice_url, payment_id: payment.rows[0]!.id, amount_due_minor: 2999 }) }]);

    for (const event of events) await feed(event);
    expect(await outboxOf('waits@example.nl')).toHaveLength(1);
  });

  it('writes none when Stripe holds the invoice paid by the time the event is processed', async () => {
    const { customer, invoice } = await renewalNeedingAuthentication('already-paid@example.nl');
    await fetch(invoice.hosted_invoice_url!, form({ action: 'complete' }));
    const { outcomes } = await feedEventsOf(customer.id);
    expect(outcomes).toContain('invoice.payment_action_required: applied');
    expect(await outboxOf('already-paid@example.nl')).toEqual([]);
    const receipts = await t.ctx.db.query(`SELECT 1 FROM notification_outbox o JOIN customers c ON c.id = o.customer_id WHERE c.email = $1 AND o.template = 'receipt'`, ['already-paid@example.nl']);
    expect(receipts.rows).toHaveLength(1);
  });
});
