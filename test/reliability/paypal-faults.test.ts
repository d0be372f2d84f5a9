import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPaypalCredentials } from '../../sandbox/paypal/paypal-sandbox.ts';
import { killSpawnedProcesses } from '../fixtures/recur-process.ts';
import { approveAs } from '../sandbox/paypal/paypal-kit.ts';
import { RecurFleet, recurEnv, startLab, waitFor, type Lab } from '../support/fault-lab.ts';
import { freePort } from '../support/free-port.ts';
import { recurApi, type RecurCall } from '../support/recur-api.ts';
import { recurAndPaypal, paypalRest } from '../support/recur-equals-paypal.ts';
import { effectsSeenTwice, notifications, unsettledInboxEvents } from '../support/recur-equals-sandbox.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

const PAYS = 'pays@payers.recur.test';
const RENEWALS_FAIL = 'renewals-fail@payers.recur.test';
const SHOP = 'https://fietsenwinkel.test/account';
const CANCEL_ROUTE = 'paypal POST /paypal/v1/billing/subscriptions/:id/cancel';

/**
 * Issue 13, "the same with faults": PayPal customers subscribe through recur (with the trial, and
 * without it the second time: trial once), a payer whose renewals fail, a cancellation through
 * recur's API and one at PayPal directly. Every PayPal webhook is sent three times, shuffled, one
 * in ten never, BILLING.SUBSCRIPTION.CANCELLED never at all; recur is killed (SIGKILL) while the
 * renewals' events arrive and started again. After `recur sync paypal`: recur equals PayPal (its
 * subscriptions, and every transaction of them with its amount, status and date, nothing extra),
 * and no notice, refund or cancellation happened twice.
 */
describe.skipIf(!testDatabaseKinds.includes('postgres'))('PayPal under webhook faults and a crash, on postgres', () => {
  let database: TestDatabase;
  let lab: Lab;
  let fleet: RecurFleet;
  let call: RecurCall;
  let caDir: string | undefined;

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    lab = await startLab({ paypal: true });
    // A fixed port: PayPal's webhook and the approval's return URL name it, across the restart.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { call: paypal } = paypalRest(lab.sandbox.url);
    const webhook = await paypal<{ id: string }>('POST', '/v1/notifications/webhooks', { url: `${url}/webhooks/paypal`, event_types: [{ name: '*' }] });
    caDir = mkdtempSync(join(tmpdir(), 'recur-paypal-ca-'));
    const rootCaFile = join(caDir, 'paypal-root-ca.pem');
    writeFileSync(rootCaFile, await (await fetch(`${lab.sandbox.url}/paypal/sandbox/root-ca.pem`)).text());
    fleet = new RecurFleet(
      recurEnv(lab, database.url!, {
        PORT: String(port),
        PUBLIC_BASE_URL: url,
        PAYPAL_CLIENT_ID: defaultPaypalCredentials.clientId,
        PAYPAL_CLIENT_SECRET: defaultPaypalCredentials.clientSecret,
        PAYPAL_WEBHOOK_ID: webhook.id,
        PAYPAL_MODE: 'sandbox',
        PAYPAL_API_BASE: `${lab.sandbox.url}/paypal`,
        PAYPAL_SANDBOX_ROOT_CA_FILE: rootCaFile,
        PAYPAL_MAX_REQUESTS_PER_SECOND: '1000',
      }),
      1,
    );
    const plans = await fleet.cli(['plans', 'sync']);
    expect(plans.code, plans.stderr).toBe(0);
    const key = await fleet.cli(['keys', 'create', '--name', 'paypal faults']);
    expect(key.code, key.stderr).toBe(0);
    call = recurApi(() => fleet.any().url, key.stdout.trim());
    await fleet.startAll();
  }, 120_000);

  afterAll(async () => {
    await killSpawnedProcesses();
    await lab?.stop();
    await database?.dispose();
    if (caDir) rmSync(caDir, { recursive: true, force: true });
  });

  /** Checkout through recur, approved on PayPal's hosted page as `payer`, back through recur's return route. */
  async function subscribe(customer: string, payer: string): Promise<{ id: string; trialDays: number }> {
    const checkout = await call('POST', '/v1/checkout', { customer, plan: 'monthly', provider: 'paypal', return_url: SHOP });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    const approved = await approveAs(String(checkout.body.url), payer);
    expect(approved.status).toBe(302);
    const back = await fetch(String(approved.headers.get('location')), { redirect: 'manual' });
    if (back.status !== 303) await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(back.status, `${await back.clone().text()} ${fleet.any().stdout().slice(-4000)}`).toBe(303);
    const shop = new URL(String(back.headers.get('location')));
    expect(shop.searchParams.get('checkout')).toBe('success');
    return { id: String(shop.searchParams.get('subscription')), trialDays: Number((checkout.body.terms as { trial_days: number }).trial_days) };
  }

  it('ends equal to PayPal after `recur sync paypal`, each notice and cancellation once', async () => {
    const started = Date.now();
    await lab.setFaults({ seed: 1313, webhooks: [{ provider: 'paypal', duplicateRate: 1, duplicateCopies: 3, dropRate: 0.1, shuffle: true, dropEventTypes: ['BILLING.SUBSCRIPTION.CANCELLED'] }] });
    const customers = ['pp-anna', 'pp-bram', 'pp-cees', 'pp-dirk'];
    for (const external_id of customers) expect((await call('POST', '/v1/customers', { external_id, email: `${external_id}@fietsenwinkel.test`, name: external_id })).status).toBe(201);

    const anna = await subscribe('pp-anna', PAYS);
    const bram = await subscribe('pp-bram', RENEWALS_FAIL);
    const cees = await subscribe('pp-cees', PAYS);
    const dirkFirst = await subscribe('pp-dirk', PAYS);
    expect([anna.trialDays, bram.trialDays, cees.trialDays, dirkFirst.trialDays]).toEqual([30, 30, 30, 30]);
    // Cancelled through recur; subscribing again gets no second trial (charged at the approval).
    expect((await call('POST', `/v1/subscriptions/${dirkFirst.id}/cancel`, { at: 'now' })).status).toBe(200);
    const dirk = await subscribe('pp-dirk', PAYS);
    expect(dirk.trialDays).toBe(0);

    await lab.advanceDays(20);
    // The trial ends (charges for anna and cees, bram's fails): recur is killed while their events arrive.
    await lab.advanceDays(11);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await fleet.kill(0);
    await lab.advanceDays(5);
    await fleet.start(0);
    fleet.restarts += 1;

    // Cancelled at PayPal, not through recur: its CANCELLED event never comes.
    const cancelledAtPaypal = (await call('GET', `/v1/subscriptions/${cees.id}`)).body.provider_subscription_id as string;
    await paypalRest(lab.sandbox.url).call('POST', `/v1/billing/subscriptions/${cancelledAtPaypal}/cancel`, { reason: 'Opgezegd bij PayPal' });
    for (let day = 36; day < 70; day += 8) await lab.advanceDays(8);
    await lab.flushWebhooks();
    await waitFor('the sandbox to have delivered its webhooks', async () => (await lab.deliveries()).every((delivery) => delivery.status !== 'pending'), 90_000);

    const sync = await fleet.cli(['sync', 'paypal'], 90_000);
    expect(sync.code, sync.stderr).toBe(0);
    console.info(`[paypal-faults] ${sync.stdout.trim()}`);
    await waitFor('the inbox to be settled', async () => (await unsettledInboxEvents(call)).length === 0, 90_000, () => unsettledInboxEvents(call));
    await waitFor('every notice to be sent', async () => (await notifications(call)).every((notice) => !['pending', 'sending'].includes(notice.status)), 150_000);

    const { recur, paypal } = await recurAndPaypal(lab.sandbox.url, database.db, customers);
    expect(recur.subscriptions).toEqual(paypal.subscriptions);
    // Every transaction of recur's subscriptions, as PayPal has it (amount, currency, status, PayPal's
    // time), and nothing else: the run read the transactions whose events were all dropped.
    expect(paypal.payments.length).toBeGreaterThan(0);
    expect(recur.payments).toEqual(paypal.payments);
    const recovered = (await database.db.query<{ n: number }>("SELECT count(*)::int AS n FROM reconciliation_items WHERE kind = 'missing_payment'")).rows[0]!.n;
    expect(paypal.subscriptions.map((s) => s.status).sort()).toEqual(['active', 'active', 'canceled', 'canceled', 'past_due']);

    const effects = await effectsSeenTwice(lab);
    expect(effects.mailsPerNotice).toEqual([]);
    const notices = await notifications(call);
    expect(new Set(notices.map((notice) => notice.business_key)).size).toBe(notices.length);
    const counts = (await lab.control<{ counts: Record<string, number> }>('GET', '/sandbox/requests')).counts;
    // One cancellation by recur (dirk's first) and the one made at PayPal; no refunds at all.
    expect(counts[CANCEL_ROUTE]).toBe(2);
    expect(Object.keys(counts).filter((route) => /refund/.test(route))).toEqual([]);

    const deliveries = await lab.deliveries();
    console.info(`[paypal-faults] ${deliveries.length} deliveries, ${fleet.restarts} restart(s), ${notices.length} notices, ${paypal.payments.length} PayPal transactions (${recovered} recorded by the run), ${Math.round((Date.now() - started) / 1000)} s`);
  }, 600_000);
});
