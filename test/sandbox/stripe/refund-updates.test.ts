import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { stripeSandbox } from '../../../sandbox/stripe/stripe-sandbox.ts';
import { advanceDays, flushWebhooks, listenToAll, sdk, START, startStripe, type StripeKit, type WebhookReceiver } from './stripe-kit.ts';

/** Stripe's SEPA test IBAN whose debit succeeds at once. */
const SEPA_SUCCEEDS = 'AT611904300234573201';

async function advanceSeconds(kit: Pick<StripeKit, 'sandbox'>, seconds: number): Promise<void> {
  const response = await fetch(`${kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
  expect(response.status).toBe(200);
}

async function paidBySepa(stripe: Stripe, amount: number): Promise<Stripe.PaymentIntent> {
  const customer = await stripe.customers.create({ email: 'jan@example.nl' });
  const sepa = await stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: SEPA_SUCCEEDS }, billing_details: { name: 'Jan', email: 'jan@example.nl' } });
  await stripe.paymentIntents.create({ amount, currency: 'eur', customer: customer.id, payment_method: sepa.id, confirm: true });
  // The debit settles when its timer runs, after the confirming request.
  const intents = await stripe.paymentIntents.list({ customer: customer.id });
  expect(intents.data[0]!.status).toBe('succeeded');
  return intents.data[0]!;
}

describe('refunds that change after they are made', () => {
  let kit: StripeKit;
  let stripe: Stripe;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    kit = await startStripe();
    stripe = kit.stripe;
    receiver = await listenToAll(kit);
  });
  afterAll(async () => {
    await receiver.close();
    await kit.stop();
  });
  const deliveriesFor = async (id: string) => {
    await flushWebhooks(kit.sandbox);
    return receiver.deliveries.filter((d) => (d.event.data.object as { id?: string }).id === id).map((d) => d.event);
  };

  it('keeps a SEPA Direct Debit refund pending for five days, then settles it (refund.updated, charge.refund.updated)', async () => {
    const intent = await paidBySepa(stripe, 4500);
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 1500 });
    expect(refund).toMatchObject({ status: 'pending', amount: 1500, destination_details: { type: 'sepa_debit' } });
    // A pending refund is counted as refunded on the charge, as at Stripe.
    expect(await stripe.charges.retrieve(String(intent.latest_charge))).toMatchObject({ amount_refunded: 1500, refunded: false });

    await advanceDays(kit.sandbox, 4);
    expect((await stripe.refunds.retrieve(refund.id)).status).toBe('pending');
    await advanceDays(kit.sandbox, 1);
    expect((await stripe.refunds.retrieve(refund.id)).status).toBe('succeeded');
    const charge = await stripe.charges.retrieve(String(intent.latest_charge));
    expect(charge).toMatchObject({ amount_refunded: 1500 });
    expect(charge.refunds?.data.find((r) => r.id === refund.id)?.status).toBe('succeeded');

    const events = await deliveriesFor(refund.id);
    expect(events.map((e) => e.type)).toEqual(['refund.created', 'refund.updated', 'charge.refund.updated']);
    expect(events[1]!.data.previous_attributes).toEqual({ status: 'pending' });
    expect(events[2]!.data.previous_attributes).toEqual({ status: 'pending' });
    expect((events[1]!.data.object as Stripe.Refund).status).toBe('succeeded');
  });

  it('fails a refund of pm_card_refundFail an hour after it succeeded; the charge gets the amount back (refund.failed)', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 3000, currency: 'eur', payment_method: 'pm_card_refundFail', confirm: true });
    expect(intent.status).toBe('succeeded');
    const refund = await stripe.refunds.create({ payment_intent: intent.id });
    expect(refund).toMatchObject({ status: 'succeeded', amount: 3000 });
    expect(await stripe.charges.retrieve(String(intent.latest_charge))).toMatchObject({ amount_refunded: 3000, refunded: true });

    await advanceSeconds(kit, 3_599);
    expect((await stripe.refunds.retrieve(refund.id)).status).toBe('succeeded');
    await advanceSeconds(kit, 1);
    const failed = await stripe.refunds.retrieve(refund.id);
    expect(failed).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card', failure_balance_transaction: expect.stringMatching(/^txn_/) });
    const charge = await stripe.charges.retrieve(String(intent.latest_charge));
    expect(charge).toMatchObject({ amount_refunded: 0, refunded: false });
    expect(charge.refunds?.data.find((r) => r.id === refund.id)?.status).toBe('failed');
    // The money can be refunded again.
    await expect(stripe.refunds.create({ payment_intent: intent.id, amount: 100 })).resolves.toMatchObject({ status: 'succeeded' });

    const events = await deliveriesFor(refund.id);
    expect(events.map((e) => e.type)).toEqual(['refund.created', 'refund.updated', 'charge.refund.updated', 'refund.failed']);
    expect(events[1]!.data.previous_attributes).toEqual({ status: 'succeeded', failure_reason: null, failure_balance_transaction: null });
    expect(events[3]!.data.object).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
  });

  it('settles an ordinary card refund at once and changes it no more', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 1200, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
    const refund = await stripe.refunds.create({ payment_intent: intent.id });
    expect(refund.status).toBe('succeeded');
    await advanceDays(kit.sandbox, 10);
    expect((await stripe.refunds.retrieve(refund.id)).status).toBe('succeeded');
    expect((await deliveriesFor(refund.id)).map((e) => e.type)).toEqual(['refund.created']);
  });
});

describe('a pending refund in the state file', () => {
  it('settles after the sandbox is stopped and started again on the same state file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'recur-stripe-refund-'));
    const stateFile = join(directory, 'state.json');
    const start = () => startSandbox({ providers: [stripeSandbox], start: START, webhookRetryDelaysMs: [20, 40], stateFile });
    try {
      let sandbox = await start();
      const intent = await paidBySepa(sdk(sandbox), 2000);
      const refund = await sdk(sandbox).refunds.create({ payment_intent: intent.id });
      expect(refund.status).toBe('pending');
      await sandbox.stop();

      sandbox = await start();
      try {
        expect((await sdk(sandbox).refunds.retrieve(refund.id)).status).toBe('pending');
        await advanceDays(sandbox, 5);
        expect((await sdk(sandbox).refunds.retrieve(refund.id)).status).toBe('succeeded');
        const types = (await sdk(sandbox).events.list({ limit: 100 })).data.filter((e) => (e.data.object as { id?: string }).id === refund.id).map((e) => e.type);
        expect(types).toEqual(['charge.refund.updated', 'refund.updated', 'refund.created']);
      } finally {
        await sandbox.stop();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
