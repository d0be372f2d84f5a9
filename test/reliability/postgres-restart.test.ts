import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/postgres-database.ts';
import { killSpawnedProcesses } from '../fixtures/recur-process.ts';
import { RecurFleet, recurEnv, startBalancer, startLab, waitFor, type Lab } from '../support/fault-lab.ts';
import type { RunningProxy } from '../support/http-proxy.ts';
import { recurApi, type RecurCall } from '../support/recur-api.ts';
import { unsettledInboxEvents } from '../support/recur-equals-sandbox.ts';
import { canRunScratchPostgres, createScratchPostgres, type ScratchPostgres } from '../support/scratch-postgres.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const SUBSCRIPTIONS = 12;

/**
 * Issue 12, "PostgreSQL restarts": recur on a cluster the test starts itself; the database is
 * stopped while Stripe webhooks arrive. While it is away recur answers 503 (so Stripe retries),
 * it comes back without a restart of its own, and every event is applied once.
 */
describe.skipIf(!testDatabaseKinds.includes('postgres') || !canRunScratchPostgres())('the database restarted under webhook load', () => {
  let cluster: ScratchPostgres;
  let lab: Lab;
  let fleet: RecurFleet;
  let balancer: RunningProxy;
  let call: RecurCall;
  const answers: { at: number; status: number }[] = [];

  beforeAll(async () => {
    cluster = await createScratchPostgres();
    const admin = openPostgres(cluster.adminUrl, { maxConnections: 1 });
    await admin.query('CREATE DATABASE recur');
    await admin.close();
    lab = await startLab();
    fleet = new RecurFleet(recurEnv(lab, cluster.url('recur')), 1);
    balancer = await startBalancer(lab, () => fleet.urls(), (request) => {
      if (request.path.startsWith('/webhooks/stripe')) answers.push({ at: Date.now(), status: request.status });
    });
    await lab.addWebhookEndpoint(`${balancer.url}/webhooks/stripe`);
    for (const args of [['migrate'], ['plans', 'sync']]) {
      const run = await fleet.cli(args);
      expect(run.code, run.stderr).toBe(0);
    }
    const key = await fleet.cli(['keys', 'create', '--name', 'restart test']);
    expect(key.code, key.stderr).toBe(0);
    call = recurApi(() => balancer.url, key.stdout.trim());
    await fleet.startAll();
  }, 180_000);

  afterAll(async () => {
    await killSpawnedProcesses();
    await balancer?.stop();
    await lab?.stop();
    cluster?.destroy();
  });

  it('answers 503 while the database is away, reconnects by itself, and applies every event once', async () => {
    const recur = fleet.any();
    const prices = Object.fromEntries((await lab.stripe.prices.list({ lookup_keys: ['recur_monthly', 'recur_yearly'] })).data.map((price) => [price.lookup_key, price.id]));
    const subscribe = async (index: number) => {
      const customer = await lab.stripe.customers.create({ email: `pg-${index}@fietsenwinkel.test`, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
      await lab.stripe.subscriptions.create({ customer: customer.id, items: [{ price: prices[index % 2 ? 'recur_yearly' : 'recur_monthly']! }] });
    };

    for (let index = 0; index < SUBSCRIPTIONS / 3; index++) await subscribe(index);
    await waitFor('the first webhooks to land', async () => answers.filter((answer) => answer.status === 200).length >= 5, 30_000);

    // Away while events keep coming: the sandbox's deliveries fail and are retried.
    cluster.stop('fast');
    const stoppedAt = Date.now();
    for (let index = SUBSCRIPTIONS / 3; index < (2 * SUBSCRIPTIONS) / 3; index++) await subscribe(index);
    // Away long enough for several deliveries and their retries to be refused.
    await waitFor('deliveries to be refused while the database is away', async () => answers.filter((answer) => answer.at > stoppedAt && answer.status !== 200).length >= 8, 60_000, async () => ({
      answers: answers.filter((answer) => answer.at > stoppedAt),
      recurExit: [recur.child.exitCode, recur.child.signalCode],
      recurLog: recur.stderr().slice(-4000),
    }));
    const readyWhileAway = await fetch(`${recur.url}/readyz`);
    expect(readyWhileAway.status).toBe(503);
    cluster.start();
    const startedAt = Date.now();

    for (let index = (2 * SUBSCRIPTIONS) / 3; index < SUBSCRIPTIONS; index++) await subscribe(index);
    await waitFor('recur to be ready again', async () => (await fetch(`${recur.url}/readyz`)).status === 200, 60_000);
    await waitFor('every delivery to be acknowledged', async () => {
      await lab.flushWebhooks();
      return (await lab.deliveries()).every((delivery) => delivery.status === 'delivered');
    }, 120_000, async () => (await lab.deliveries()).filter((delivery) => delivery.status !== 'delivered'));
    await waitFor('the inbox to be settled', async () => (await unsettledInboxEvents(call)).length === 0, 90_000, () => unsettledInboxEvents(call));

    // The same process throughout: it reconnected on its own.
    expect(fleet.any().pid).toBe(recur.pid);
    expect(recur.child.exitCode).toBeNull();
    const whileAway = answers.filter((answer) => answer.at > stoppedAt && answer.at < startedAt && answer.status !== 200);
    expect(whileAway.length).toBeGreaterThan(0);
    expect([...new Set(whileAway.map((answer) => answer.status))]).toEqual([503]);

    // Every event once: one inbox row per event the sandbox sent, none failed, each applied once.
    const db = openPostgres(cluster.url('recur'), { maxConnections: 1 });
    try {
      const distinct = new Set((await lab.deliveries()).map((delivery) => delivery.eventId));
      const inbox = await db.query<{ provider_event_id: string; status: string }>('SELECT provider_event_id, status FROM webhook_inbox');
      expect(new Set(inbox.rows.map((row) => row.provider_event_id))).toEqual(distinct);
      expect(inbox.rows.length).toBe(distinct.size);
      expect((await db.query('SELECT actor, entity, entity_id, action FROM audit_log GROUP BY actor, entity, entity_id, action HAVING count(*) > 1')).rows).toEqual([]);
      const subscriptions = await db.query<{ provider_subscription_id: string; provider_status: string }>("SELECT provider_subscription_id, provider_status FROM subscriptions WHERE provider = 'stripe' ORDER BY 1");
      const truth = (await lab.stripe.subscriptions.list({ status: 'all', limit: 100 })).data.map((s) => ({ provider_subscription_id: s.id, provider_status: s.status }));
      expect(subscriptions.rows).toEqual(truth.sort((a, b) => (a.provider_subscription_id < b.provider_subscription_id ? -1 : 1)));
      const payments = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM payments WHERE provider = 'stripe' AND status = 'succeeded'");
      expect(payments.rows[0]!.n).toBe(SUBSCRIPTIONS);
    } finally {
      await db.close();
    }
    console.info(`[postgres-restart] database away ${((startedAt - stoppedAt) / 1000).toFixed(1)} s; ${whileAway.length} deliveries answered 503 meanwhile; ${answers.length} deliveries in all`);
  }, 240_000);
});
