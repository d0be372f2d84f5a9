import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { stripeSandbox } from '../../../sandbox/stripe/stripe-sandbox.ts';
import { authorizeAtBank, bankSession, eventsAbout, goToBank, IBAN, payWithIban } from './bank-checkout-kit.ts';
import { advanceDays, intentOfInvoice, sdk, START, type StripeKit } from './stripe-kit.ts';

const start = (stateFile: string) => startSandbox({ providers: [stripeSandbox], start: START, webhookRetryDelaysMs: [20, 40], stateFile });
const kitOf = (sandbox: RunningSandbox): StripeKit => ({ sandbox, stripe: sdk(sandbox), stop: () => sandbox.stop() });

/** What a restart must keep of the bank methods: mandates, SetupIntents and their attempts, and a SEPA debit still processing. */
describe('the Stripe sandbox keeps mandates, setup intents and pending SEPA debits across a restart', () => {
  let directory: string;
  let sandbox: RunningSandbox;
  let trial: Stripe.Checkout.Session;
  let debit: Stripe.Checkout.Session;
  let before: { setupIntent: Stripe.SetupIntent; mandate: Stripe.Mandate };

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'recur-stripe-bank-state-'));
    const stateFile = join(directory, 'state.json');
    sandbox = await start(stateFile);
    const stripe = sdk(sandbox);
    trial = await bankSession(stripe, { types: ['ideal'], trialDays: 30 });
    await authorizeAtBank(await goToBank(trial, 'ideal', 'abn_amro'), trial, IBAN.succeeds);
    debit = await bankSession(stripe, { types: ['sepa_debit'] });
    expect((await payWithIban(debit, IBAN.succeedsLater)).status).toBe(303);
    const setupIntent = await stripe.setupIntents.retrieve(String((await stripe.checkout.sessions.retrieve(trial.id)).setup_intent), { expand: ['latest_attempt'] });
    before = { setupIntent, mandate: await stripe.mandates.retrieve(String(setupIntent.mandate)) };
    await sandbox.stop();
    sandbox = await start(stateFile);
  });
  afterAll(async () => {
    await sandbox.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('answers the mandate, the SetupIntent and its attempt exactly as before', async () => {
    const stripe = sdk(sandbox);
    expect(await stripe.setupIntents.retrieve(before.setupIntent.id, { expand: ['latest_attempt'] })).toEqual(before.setupIntent);
    expect(await stripe.mandates.retrieve(before.mandate.id)).toEqual(before.mandate);
    expect((await stripe.checkout.sessions.retrieve(trial.id)).setup_intent).toBe(before.setupIntent.id);
  });

  it('starts on a state file written before mandates and setup intents existed, with none of them', async () => {
    const provider = sandbox.providers[0]!;
    const current = provider.snapshot() as { state: { collections: Record<string, unknown> } };
    const { mandates: _mandates, setupIntents: _setupIntents, setupAttempts: _setupAttempts, ...older } = current.state.collections;
    const scratch = await startSandbox({ providers: [stripeSandbox], start: START });
    try {
      scratch.providers[0]!.restore({ ...current, state: { ...current.state, collections: older } });
      const stripe = sdk(scratch);
      expect((await stripe.checkout.sessions.retrieve(trial.id)).setup_intent).toBe(before.setupIntent.id);
      await expect(stripe.mandates.retrieve(before.mandate.id)).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await scratch.stop();
    }
  });

  it('settles the SEPA debit that was processing, and debits the saved iDEAL account when the trial ends', async () => {
    const kit = kitOf(sandbox);
    const { stripe } = kit;
    expect((await stripe.checkout.sessions.retrieve(debit.id)).payment_status).toBe('unpaid');
    await fetch(`${sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 180 }) });
    expect((await stripe.checkout.sessions.retrieve(debit.id)).payment_status).toBe('paid');
    expect(await eventsAbout(stripe, debit.id)).toEqual(['checkout.session.completed', 'checkout.session.async_payment_succeeded']);

    await advanceDays(sandbox, 31);
    const subscription = await stripe.subscriptions.retrieve(String((await stripe.checkout.sessions.retrieve(trial.id)).subscription));
    expect(subscription.status).toBe('active');
    const charge = await stripe.charges.retrieve(String((await intentOfInvoice(stripe, subscription.latest_invoice)).latest_charge));
    expect(charge).toMatchObject({ status: 'succeeded', payment_method_details: { type: 'sepa_debit', sepa_debit: { mandate: before.mandate.id } } });
  });
});
