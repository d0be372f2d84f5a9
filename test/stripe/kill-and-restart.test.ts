import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../sandbox/core/start-sandbox.ts';
import { createStripeSandbox } from '../../sandbox/stripe/stripe-sandbox.ts';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import type { Database, DatabaseKind } from '../../src/db/database.ts';
import { openPGlite } from '../../src/db/pglite-database.ts';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import { syncPlansToProvider } from '../../src/services/sync/sync-plans-to-providers.ts';
import { killSpawnedProcesses, repoRoot, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { KEY, sdk } from '../sandbox/stripe/stripe-kit.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';
import { freePort } from '../support/free-port.ts';

type Delivery = { eventId: string; status: string; url: string; attempts: number };

async function deliveries(sandbox: RunningSandbox): Promise<Delivery[]> {
  return ((await (await fetch(`${sandbox.url}/sandbox/webhooks/deliveries`)).json()) as { data: Delivery[] }).data;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type ProviderKeyed = { provider_subscription_id?: unknown; provider_payment_id?: unknown };
const providerId = (row: ProviderKeyed) => String(row.provider_subscription_id ?? row.provider_payment_id);
const byProviderId = (a: ProviderKeyed, b: ProviderKeyed) => (providerId(a) < providerId(b) ? -1 : providerId(a) > providerId(b) ? 1 : 0);

/** What Stripe holds, in the columns recur keeps: the truth recur's rows must equal. */
async function stripeTruth(stripe: Stripe, customers: string[]) {
  const subscriptions = [];
  const payments = [];
  for (const customer of customers) {
    for await (const s of stripe.subscriptions.list({ customer, status: 'all', limit: 100 })) {
      const item = s.items.data[0]!;
      subscriptions.push({
        provider_subscription_id: s.id,
        provider_status: s.status,
        plan_id: item.price.lookup_key === 'recur_yearly' ? 'yearly' : 'monthly',
        cancel_at_period_end: s.cancel_at_period_end,
        current_period_end: new Date(item.current_period_end * 1000),
        trial_end: s.trial_end ? new Date(s.trial_end * 1000) : null,
      });
    }
    for await (const intent of stripe.paymentIntents.list({ customer, limit: 100 })) {
      if (intent.status === 'succeeded') payments.push({ provider_payment_id: intent.id, amount_minor: intent.amount, currency: intent.currency.toUpperCase(), status: 'succeeded' });
    }
  }
  return { subscriptions: subscriptions.sort(byProviderId), payments: payments.sort(byProviderId) };
}

async function recurRows(db: Database) {
  const subscriptions = await db.query(
    "SELECT provider_subscription_id, provider_status, plan_id, cancel_at_period_end, current_period_end, trial_end FROM subscriptions WHERE provider = 'stripe' ORDER BY provider_subscription_id",
  );
  const payments = await db.query("SELECT provider_payment_id, amount_minor::int AS amount_minor, currency, status FROM payments WHERE provider = 'stripe' ORDER BY provider_payment_id");
  return { subscriptions: subscriptions.rows.sort(byProviderId), payments: payments.rows.sort(byProviderId) };
}

/**
 * recur as an operator runs it (`recur start`, its own process, the system clock) against the
 * Stripe sandbox, every webhook delivered twice and shuffled, and the process killed with SIGKILL
 * while events are arriving and being processed. The sandbox clock starts at the wall clock's
 * time and stands still, so the signatures it makes are fresh to the recur process.
 */
describe.each(testDatabaseKinds)('recur killed mid-stream and restarted, on %s', (kind: DatabaseKind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await killSpawnedProcesses();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('ends equal to Stripe with no effect twice', async () => {
    const sandbox = await startSandbox({ providers: [createStripeSandbox({})], start: new Date(), webhookRetryDelaysMs: [250, 500, 1000, 2000, 4000, 8000, 8000] });
    cleanups.push(() => sandbox.stop());
    const stripe = sdk(sandbox);
    await syncPlansToProvider(createStripeGateway(stripe), defaultCatalogue.plans, 'en');
    const faults = await fetch(`${sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ webhooks: [{ provider: 'stripe', duplicateRate: 1, shuffle: true }] }) });
    expect(faults.ok).toBe(true);

    const port = await freePort();
    const endpoint = await stripe.webhookEndpoints.create({ url: `http://127.0.0.1:${port}/webhooks/stripe`, enabled_events: ['*'] });

    let database: TestDatabase | null = null;
    const dataDir = mkdtempSync(join(tmpdir(), 'recur-kill-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    if (kind === 'postgres') {
      database = await openTestDatabase('postgres');
      cleanups.push(() => database!.dispose());
    }
    const env = {
      PORT: String(port),
      SANDBOX: 'off',
      STRIPE_SECRET_KEY: KEY,
      STRIPE_API_BASE: sandbox.url,
      STRIPE_WEBHOOK_SECRET: endpoint.secret!,
      LINK_SIGNING_SECRET: 'the link-signing key of this test, 32+ characters',
      JOB_POLL_INTERVAL_SECONDS: '0.5',
      WEBHOOK_CLAIM_LEASE_SECONDS: '10',
      RECONCILE_CRON: 'off',
      ...(database ? { DATABASE_URL: database.url! } : { RECUR_DATA_DIR: dataDir }),
    };
    const start = () => startRecur({ cwd: repoRoot, env });

    const prices = Object.fromEntries((await stripe.prices.list({ lookup_keys: ['recur_monthly', 'recur_yearly'] })).data.map((price) => [price.lookup_key, price.id]));
    const customers: string[] = [];
    const subscribe = async (index: number, trial: boolean, plan: 'recur_monthly' | 'recur_yearly') => {
      const customer = await stripe.customers.create({ email: `kill-${index}@example.nl`, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
      customers.push(customer.id);
      return stripe.subscriptions.create({ customer: customer.id, items: [{ price: prices[plan]! }], ...(trial ? { trial_period_days: 30 } : {}) });
    };

    const key = await runRecur(['keys', 'create', '--name', 'kill-test'], { cwd: repoRoot, env });
    expect(key.code, key.stderr).toBe(0);
    const apiKey = key.stdout.trim();
    let recur: RunningRecur = await start();
    // First half: subscriptions with and without a trial (the latter are charged at once).
    const first = [];
    for (let index = 0; index < 4; index++) first.push(await subscribe(index, index % 2 === 0, index < 2 ? 'recur_monthly' : 'recur_yearly'));
    await stripe.subscriptions.update(first[0]!.id, { cancel_at_period_end: true });
    // Kill while deliveries and processing are under way.
    await waitFor('some deliveries to land', async () => (await deliveries(sandbox)).filter((delivery) => delivery.status === 'delivered').length >= 10);
    const killed = await recur.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const missedWhileDown = (await deliveries(sandbox)).filter((delivery) => delivery.status !== 'delivered').length;

    // Second half while recur is down: these deliveries fail and are retried by the sandbox.
    for (let index = 4; index < 7; index++) await subscribe(index, index % 2 === 1, 'recur_monthly');
    await stripe.subscriptions.update(first[1]!.id, { items: [{ id: first[1]!.items.data[0]!.id, price: prices['recur_yearly']! }], proration_behavior: 'always_invoice' });
    await stripe.subscriptions.cancel(first[2]!.id);

    recur = await start();
    await waitFor('every delivery to be acknowledged', async () => {
      await fetch(`${sandbox.url}/sandbox/webhooks/flush`, { method: 'POST' });
      return (await deliveries(sandbox)).every((delivery) => delivery.status === 'delivered');
    });
    // Through the running process's admin API: nothing left to process in its inbox.
    const unfinished = async () => {
      let n = 0;
      for (const status of ['received', 'processing', 'failed']) {
        const page = await fetch(`${recur.url}/v1/webhook-events?status=${status}&limit=100`, { headers: { authorization: `Bearer ${apiKey}` } });
        n += ((await page.json()) as { data: unknown[] }).data.length;
      }
      return n;
    };
    await waitFor('the inbox to be worked off', async () => (await unfinished()) === 0, 120_000);
    const stopped = await recur.stop('SIGTERM');
    expect(stopped.code, recur.stderr()).toBe(0);

    // PGlite is read once the process has let go of it.
    const final = database?.db ?? (await openPGlite({ dataDir: join(dataDir, 'pgdata') }));
    if (!database) cleanups.push(() => final.close());
    await assertFinal(final);

    async function assertFinal(final: Database) {
      expect(await recurRows(final)).toEqual(await stripeTruth(stripe, customers));
      // One inbox row per distinct event, however often it was delivered.
      const distinct = new Set((await deliveries(sandbox)).map((delivery) => delivery.eventId)).size;
      expect((await final.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_inbox')).rows[0]!.n).toBe(distinct);
      // No effect twice: each event's change to each row is in the audit log at most once, and each
      // subscription and payment was created once.
      expect((await final.query('SELECT actor, entity, entity_id, action FROM audit_log GROUP BY actor, entity, entity_id, action HAVING count(*) > 1')).rows).toEqual([]);
      const creates = await final.query<{ entity: string; n: number }>("SELECT entity, count(*)::int AS n FROM audit_log WHERE action = 'create' AND entity IN ('subscription', 'payment') GROUP BY entity ORDER BY entity");
      const truth = await stripeTruth(stripe, customers);
      expect(creates.rows).toEqual([
        { entity: 'payment', n: truth.payments.length },
        { entity: 'subscription', n: truth.subscriptions.length },
      ]);
      console.info(`[${kind}] killed after ${(await deliveries(sandbox)).length} deliveries in all; ${missedWhileDown} not yet delivered at the kill; ${distinct} distinct events`);
    }
  }, 240_000);
});
