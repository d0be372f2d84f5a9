import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { createStripeSandbox, stripeSandbox } from '../../../sandbox/stripe/stripe-sandbox.ts';
import { buildState, moveOn, observe, withoutIds, type Built, type View } from './persistence-scenario.ts';
import { flushWebhooks, sdk, START, startReceiver, type WebhookReceiver } from './stripe-kit.ts';

type Run = { built: Built; before: View; afterRestart: View; final: View; replayed: Stripe.Response<Stripe.Customer>; mismatch: unknown; received: string[]; undelivered: number };

const start = (stateFile?: string) => startSandbox({ providers: [stripeSandbox], start: START, webhookRetryDelaysMs: [20, 40], ...(stateFile ? { stateFile } : {}) });

/** The scenario of persistence-scenario.ts, with a stop and a new sandbox on the same state file in the middle, or without. */
async function run(restart: boolean): Promise<Run> {
  const directory = mkdtempSync(join(tmpdir(), 'recur-stripe-state-'));
  const stateFile = join(directory, 'state.json');
  let sandbox: RunningSandbox = await start(restart ? stateFile : undefined);
  let secret = '';
  const receiver: WebhookReceiver = await startReceiver(() => sandbox, () => secret, sdk(sandbox));
  try {
    const endpoint = await sdk(sandbox).webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
    secret = endpoint.secret!;
    const built = await buildState(sdk(sandbox), sandbox, endpoint.id);
    await flushWebhooks(sandbox);
    const before = await observe(sdk(sandbox), sandbox, built);
    if (restart) {
      await sandbox.stop();
      sandbox = await start(stateFile);
    }
    const stripe = sdk(sandbox);
    const afterRestart = await observe(stripe, sandbox, built);
    const replayed = await stripe.customers.create({ email: 'once@example.nl' }, { idempotencyKey: 'create-once' });
    const mismatch = await stripe.customers.create({ email: 'twice@example.nl' }, { idempotencyKey: 'create-once' }).catch((error: unknown) => error);
    await moveOn(stripe, sandbox, built);
    await flushWebhooks(sandbox);
    const final = await observe(stripe, sandbox, built);
    const undelivered = sandbox.ctx.webhooks.deliveries().filter((delivery) => delivery.status !== 'delivered').length;
    return { built, before, afterRestart, final, replayed, mismatch, received: receiver.types(), undelivered };
  } finally {
    await receiver.close();
    await sandbox.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

describe('the Stripe sandbox with a state file, stopped and started again', () => {
  let restarted: Run;
  let uninterrupted: Run;
  beforeAll(async () => {
    restarted = await run(true);
    uninterrupted = await run(false);
  });

  it('answers every read after the restart exactly as before it: objects, list order, events, test clock, settings', () => {
    const { before, afterRestart, built } = restarted;
    expect(afterRestart).toEqual(before);
    expect(before.customers).toContain(built.once);
    expect(before.subscriptions).toEqual(expect.arrayContaining([`${built.trialing} trialing`, `${built.incomplete} incomplete`, `${built.payLater} incomplete`]));
    expect(before).toMatchObject({ debit: 'processing', session: 'open', lineItems: ['Shuttlecocks 500'], gone: 'deleted', payLater: expect.stringMatching(/^pi_\w+ requires_payment_method$/), testClock: `ready ${30 * 86_400}`, upcomingInvoiceDays: 2, endpoints: [built.endpoint] });
    expect(before.events.length).toBeGreaterThan(20);
  });

  it('replays an idempotent request made before the restart, and refuses its key for other parameters', () => {
    expect(restarted.replayed.id).toBe(restarted.built.once);
    expect(restarted.replayed.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(restarted.mismatch).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('runs the pending work when the clocks move: the trial renews, the debit settles, the session and the unpaid subscription expire', () => {
    const { final, built } = restarted;
    expect(final.subscriptions).toEqual(expect.arrayContaining([`${built.trialing} active`, `${built.incomplete} incomplete_expired`, `${built.payLater} active`]));
    expect(final).toMatchObject({ debit: 'succeeded', session: 'expired' });
    expect(restarted.received).toEqual(expect.arrayContaining(['charge.succeeded', 'invoice.voided', 'checkout.session.expired', 'customer.subscription.trial_will_end']));
  });

  it('signs deliveries after the restart with the endpoint’s secret from before it', () => {
    expect(restarted.undelivered).toBe(0);
    expect(restarted.received.length).toBe(uninterrupted.received.length);
  });

  it('makes the same events, in the same order, as a run without the restart', () => {
    expect(restarted.received).toEqual(uninterrupted.received);
    expect(withoutIds(restarted.final)).toEqual(withoutIds(uninterrupted.final));
    expect(withoutIds(restarted.afterRestart)).toEqual(withoutIds(uninterrupted.afterRestart));
  });
});

describe('Stripe snapshot and restore', () => {
  let sandbox: RunningSandbox;
  let empty: unknown;
  beforeAll(async () => {
    const fresh = await start();
    empty = fresh.providers[0]!.snapshot();
    await fresh.stop();
    sandbox = await start();
  });
  afterAll(() => sandbox.stop());

  it('restores a fresh sandbox’s snapshot to an empty one', async () => {
    expect(JSON.parse(JSON.stringify(empty))).toEqual(empty);
    const stripe = sdk(sandbox);
    await stripe.customers.create({ email: 'gone@example.nl' });
    await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/gone', enabled_events: ['*'] });
    sandbox.providers[0]!.restore(empty);
    expect((await stripe.customers.list()).data).toEqual([]);
    expect((await stripe.events.list()).data).toEqual([]);
    expect((await stripe.webhookEndpoints.list()).data).toEqual([]);
    expect(sandbox.providers[0]!.snapshot()).toEqual(empty);
  });

  it('refuses garbage with a clear error and keeps what it had', async () => {
    const stripe = sdk(sandbox);
    const kept = await stripe.customers.create({ email: 'kept@example.nl' });
    const provider = sandbox.providers[0]!;
    const good = provider.snapshot() as { state: { collections: Record<string, unknown> } };
    expect(() => provider.restore('not json data')).toThrow(/not a Stripe sandbox snapshot/);
    expect(() => provider.restore({ format: 2 })).toThrow(/not a Stripe sandbox snapshot \(format 1\)[\s\S]*format/);
    const { customers: _customers, ...withoutCustomers } = good.state.collections;
    expect(() => provider.restore({ ...good, state: { ...good.state, collections: withoutCustomers } })).toThrow(/has no customers/);
    expect((await stripe.customers.list()).data.map((customer) => customer.id)).toEqual([kept.id]);
  });

  it('keeps a configured webhook endpoint once, and adds it when the snapshot lacks it (a restart with a new URL)', async () => {
    const configured = await startSandbox({ providers: [createStripeSandbox({ webhookEndpoints: [{ url: 'http://127.0.0.1:9/hook' }] })], start: START });
    try {
      const provider = configured.providers[0]!;
      const [endpoint] = (await sdk(configured).webhookEndpoints.list()).data;
      provider.restore(provider.snapshot());
      expect((await sdk(configured).webhookEndpoints.list()).data.map((e) => e.id)).toEqual([endpoint!.id]);
      provider.restore(empty);
      expect((await sdk(configured).webhookEndpoints.list()).data.map((e) => e.url)).toEqual(['http://127.0.0.1:9/hook']);
    } finally {
      await configured.stop();
    }
  });

  it('will not start on a state file whose Stripe part is garbage', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'recur-stripe-state-'));
    const stateFile = join(directory, 'state.json');
    writeFileSync(stateFile, JSON.stringify({ version: 1, clock: START.toISOString(), providers: { stripe: { format: 1, state: [] } } }));
    await expect(start(stateFile)).rejects.toThrow(/not a Stripe sandbox snapshot/);
    expect(readFileSync(stateFile, 'utf8')).toContain('"state":[]');
    rmSync(directory, { recursive: true, force: true });
  });
});
