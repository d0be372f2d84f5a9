import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../sandbox/core/seeded-random.ts';
import { killSpawnedProcesses } from '../fixtures/recur-process.ts';
import type { RunningProxy } from '../support/http-proxy.ts';
import { RecurFleet, recurEnv, startBalancer, startLab, waitFor, type Lab } from '../support/fault-lab.ts';
import { recurApi, type RecurCall } from '../support/recur-api.ts';
import { effectsSeenTwice, notifications, recurAndSandbox, unsettledInboxEvents } from '../support/recur-equals-sandbox.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

const SEED = 20_261_204;
const CUSTOMERS = 8;
const KILL_EVERY_MS = 3_000;

/**
 * Issue 12, "several instances": three `recur start` processes on one PostgreSQL database behind a
 * round-robin balancer; the sandbox sends every Stripe webhook to the balancer, a third of them
 * three times, all shuffled, 10% never; a fifth of recur's calls to Stripe answer 429 or 500; one
 * process is killed with SIGKILL every few seconds and started again. A shop drives customers,
 * checkouts, cancellations, and the sandbox clock moves through trial ends, renewals and failed
 * renewals. After one reconciliation run recur equals the sandbox and no effect happened twice.
 */
describe.skipIf(!testDatabaseKinds.includes('postgres'))('several recur processes under provider storms and crashes, on postgres', () => {
  let database: TestDatabase;
  let lab: Lab;
  let fleet: RecurFleet;
  let balancer: RunningProxy;
  let call: RecurCall;
  let chaos: { stop(): Promise<void> } | null = null;

  beforeAll(async () => {
    console.info(`[several-instances] seed ${SEED}`);
    database = await openTestDatabase('postgres');
    lab = await startLab();
    fleet = new RecurFleet(recurEnv(lab, database.url!), 3);
    balancer = await startBalancer(lab, () => fleet.urls());
    await lab.addWebhookEndpoint(`${balancer.url}/webhooks/stripe`);
    const plans = await fleet.cli(['plans', 'sync']);
    expect(plans.code, plans.stderr).toBe(0);
    const key = await fleet.cli(['keys', 'create', '--name', 'fault test']);
    expect(key.code, key.stderr).toBe(0);
    call = recurApi(() => balancer.url, key.stdout.trim());
    await fleet.startAll();
  }, 180_000);

  afterAll(async () => {
    await chaos?.stop().catch(() => undefined);
    await killSpawnedProcesses();
    await balancer?.stop();
    await lab?.stop();
    await database?.dispose();
  });

  it('ends equal to the sandbox, with every effect once', async () => {
    const started = Date.now();
    const phase = (name: string) => console.info(`[several-instances] ${((Date.now() - started) / 1000).toFixed(1)} s: ${name}`);
    const random = seededRandom(SEED);
    await lab.setFaults({
      seed: SEED,
      requests: [
        { provider: 'stripe', errorRate: 0.1, errorStatus: 429 },
        { provider: 'stripe', errorRate: 0.11, errorStatus: 500 },
      ],
      webhooks: [{ provider: 'stripe', duplicateRate: 0.34, duplicateCopies: 3, dropRate: 0.1, shuffle: true }],
    });

    // One process killed with SIGKILL every few seconds and started again, while the load runs.
    chaos = fleet.chaos(KILL_EVERY_MS, random);

    const customers = Array.from({ length: CUSTOMERS }, (_, index) => ({
      external_id: `shop-${index}`,
      email: `klant-${index}@fietsenwinkel.test`,
      name: `Klant ${index}`,
      ...(index % 2 === 0 ? { phone: `+3161234567${index}`, sms_consent: true } : {}),
    }));
    for (const customer of customers) {
      const created = await call('POST', '/v1/customers', customer);
      // 409: an earlier attempt was stored before its answer was lost to a kill.
      expect([201, 409], JSON.stringify(created.body)).toContain(created.status);
    }

    // Checkouts completed on the sandbox's hosted page; every fourth card fails at later charges.
    for (const [index, customer] of customers.entries()) {
      const checkout = await call('POST', '/v1/checkout', { customer: customer.external_id, plan: index % 3 === 2 ? 'yearly' : 'monthly', provider: 'stripe', return_url: 'https://fietsenwinkel.test/account' });
      expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
      await payOnHostedPage(String(checkout.body.url), index % 4 === 3 ? 'pm_card_chargeCustomerFail' : 'pm_card_visa');
    }
    phase('checkouts paid');
    await lab.flushWebhooks();

    // The shop cancels two subscriptions (one at period end, one now), among those recur knows:
    // a dropped webhook may keep one from recur until the reconciliation.
    let known: { id: string }[] = [];
    await waitFor('recur to know two subscriptions', async () => {
      known = ((await call('GET', '/v1/subscriptions?limit=100')).body.data as { id: string }[] | undefined) ?? [];
      return known.length >= 2;
    }, 60_000, async () => ({ subscriptions: await call('GET', '/v1/subscriptions?limit=100'), jobs: (await database.db.query("SELECT name, state, policy, started_on, count(*)::int AS n FROM pgboss.job WHERE name IN ('process-webhook-inbox', 'deliver-notifications') GROUP BY 1, 2, 3, 4")).rows, restarts: fleet.restarts }));
    for (const [index, at] of (['period_end', 'now'] as const).entries()) {
      const answer = await call('POST', `/v1/subscriptions/${known[index]!.id}/cancel`, { at });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }

    phase('cancellations asked');
    // Trial ends (first charges, some failing), then the retries of the failed ones, the last of
    // which cancels the subscription.
    await lab.advanceDays(31);
    await lab.flushWebhooks();
    await lab.advanceDays(9);
    await lab.flushWebhooks();

    phase('clock moved twice');
    await chaos.stop();
    chaos = null;
    await lab.clearFaults();
    await waitFor('the sandbox to have tried every delivery', async () => {
      await lab.flushWebhooks();
      return (await lab.deliveries()).every((delivery) => delivery.status !== 'pending');
    }, 90_000);

    phase('deliveries settled');
    // Six hours later: events that failed in the storm are due again (recur retries after 30 s,
    // 1 min, 2 min, ...), and a scheduled inbox pass picks them up within a minute.
    await lab.advanceHours(6);
    // One reconciliation run: it recovers the dropped events.
    const sync = await fleet.cli(['sync', 'stripe'], 90_000);
    expect(sync.code, sync.stderr).toBe(0);

    phase('reconciled');
    await waitFor('the inbox to be settled', async () => (await unsettledInboxEvents(call)).length === 0, 90_000, () => unsettledInboxEvents(call));
    phase('inbox settled');
    await waitFor('every notice to be sent', async () => (await notifications(call)).every((notice) => !['pending', 'sending'].includes(notice.status)), 90_000, async () =>
      (await notifications(call)).map((notice) => [notice.template, notice.channel, notice.status]),
    );

    phase('inbox and notices settled');
    const { recur, sandbox } = await recurAndSandbox(lab, call, database.db, customers);
    expect(recur).toEqual(sandbox);
    expect(recur.subscriptions.length).toBe(CUSTOMERS);

    const effects = await effectsSeenTwice(lab);
    const notices = await notifications(call);
    expect(effects.mailsPerNotice).toEqual([]);
    expect(effects.smsPerText).toEqual([]);
    expect(effects.writesWithoutIdempotencyKey).toEqual([]);
    expect(effects.freshAnswersPerKey).toEqual([]);
    expect(effects.cancellations.length).toBe(2);
    expect(new Set(effects.cancellations).size).toBe(2);
    // Every e-mail notice recur sent is in the inbox exactly once, and nothing else is.
    const handedOver = (channel: string) => notices.filter((notice) => notice.channel === channel && ['sent', 'delivered', 'bounced'].includes(notice.status)).length;
    expect(effects.mails).toBe(handedOver('email'));
    expect(effects.sms).toBe(handedOver('sms'));
    // One business key, one notice.
    expect(new Set(notices.map((notice) => notice.business_key)).size).toBe(notices.length);

    // Kills happened while the load ran (one every 3 s, never the last process up; how many
    // depends on how fast the load goes through).
    expect(fleet.restarts).toBeGreaterThanOrEqual(2);
    const deliveries = await lab.deliveries();
    console.info(
      `[several-instances] ${((Date.now() - started) / 1000).toFixed(0)} s; ${fleet.restarts} kills; ${deliveries.length} deliveries (${deliveries.filter((d) => d.status === 'dropped').length} dropped) of ${new Set(deliveries.map((d) => d.eventId)).size} events; ${lab.stripeCalls.length} calls to Stripe (${lab.stripeCalls.filter((c) => c.status === 429 || c.status === 500).length} answered 429/500); ${effects.mails} mails, ${effects.sms} SMS`,
    );
  }, 300_000);

  async function payOnHostedPage(url: string, card: string): Promise<void> {
    // The hosted page is the sandbox's; a storm answers it 500 as well, and the customer clicks again.
    await waitFor(`checkout ${url} paid`, async () => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ action: 'pay', card }).toString(), redirect: 'manual' });
      if (response.status === 303 || response.status === 302) return true;
      const page = await response.text();
      if (/is not open/.test(page)) return true;
      return false;
    }, 30_000);
  }
});
