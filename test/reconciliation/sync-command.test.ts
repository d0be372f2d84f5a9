import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock } from '../../src/db/data-dir-lock.ts';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import { syncPlansToProvider } from '../../src/services/sync/sync-plans-to-providers.ts';
import { killSpawnedProcesses, runRecur } from '../fixtures/recur-process.ts';
import { KEY, startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';

/** `recur sync stripe` as an operator runs it on the embedded database (the PostgreSQL run is in sync-after-missed-webhooks.test.ts). */
describe('recur sync stripe (the command, embedded database)', () => {
  let kit: StripeKit;
  let cwd: string;
  beforeAll(async () => {
    kit = await startStripe();
    cwd = mkdtempSync(join(tmpdir(), 'recur-sync-command-'));
  });
  afterEach(() => killSpawnedProcesses());
  afterAll(async () => {
    await kit.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const envFor = (dataDir: string, apiBase = kit.sandbox.url) => ({ RECUR_DATA_DIR: join(cwd, dataDir), STRIPE_SECRET_KEY: KEY, STRIPE_API_BASE: apiBase, LOG_LEVEL: 'silent' });

  it('records what Stripe holds, prints the summary, then finds no drift', async () => {
    await syncPlansToProvider(createStripeGateway(kit.stripe), defaultCatalogue.plans, 'en');
    const price = (await kit.stripe.prices.list({ lookup_keys: ['recur_yearly'] })).data[0]!;
    const customer = await kit.stripe.customers.create({ email: 'cli@example.nl' });
    await kit.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 30 });

    const first = await runRecur(['sync', 'stripe'], { cwd, env: envFor('data-a'), timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^reconciliation run [0-9a-f-]{36} succeeded: \d+ requests to Stripe$/m);
    expect(first.stdout).toMatch(/^ {2}missing_locally 1$/m);
    expect(first.stdout).toMatch(/^ {2}event_recovered \d+$/m);
    // The customer's e-mail is compared from the subscription page (its customer comes expanded): no customers list.
    expect(first.stderr.trim().split('\n')).toEqual(['subscriptions: 1 page, 1 objects, done', expect.stringMatching(/^events: 2 pages, \d+ objects, done$/)]);

    const second = await runRecur(['sync', 'stripe'], { cwd, env: envFor('data-a'), timeoutMs: 60_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('  no drift: recur and Stripe agree');
  }, 60_000);

  it('fails with one line and a non-zero exit: no key, Stripe unreachable, database in use', async () => {
    const noKey = await runRecur(['sync', 'stripe'], { cwd, env: { RECUR_DATA_DIR: join(cwd, 'data-b') } });
    expect([noKey.code, noKey.stderr]).toEqual([78, 'recur: STRIPE_SECRET_KEY is not set (and STRIPE_API_BASE for the sandbox)\n']);

    const unknown = await runRecur(['sync', 'mollie'], { cwd, env: { RECUR_DATA_DIR: join(cwd, 'data-b') } });
    expect([unknown.code, unknown.stderr]).toEqual([64, 'recur: unknown provider "mollie" (known: stripe, paypal)\n']);
    const paypalUnset = await runRecur(['sync', 'paypal'], { cwd, env: envFor('data-b') });
    expect([paypalUnset.code, paypalUnset.stderr]).toEqual([78, 'recur: PayPal is not configured (PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID)\n']);

    const unreachable = await runRecur(['sync', 'stripe'], { cwd, env: envFor('data-b', 'http://127.0.0.1:9'), timeoutMs: 60_000 });
    expect(unreachable.code).toBe(69);
    expect(unreachable.stderr).toMatch(/^recur: reconciliation failed: Stripe failed while listing events: [^\n]+\n$/);

    // Another command holds the embedded database (its lock sits beside RECUR_DATA_DIR/pgdata);
    // unlike a running `recur start`, it has no control socket to ask.
    const lock = acquireDataDirLock(join(cwd, 'data-b', 'pgdata'), 'migrate', new Date());
    try {
      const busy = await runRecur(['sync', 'stripe'], { cwd, env: envFor('data-b') });
      expect(busy.code).toBe(75);
      expect(busy.stderr).toMatch(/^recur: the embedded database in .* is in use by `recur migrate`[^\n]*\n$/);
    } finally {
      lock.release();
    }
  }, 60_000);
});
