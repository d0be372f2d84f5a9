import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses } from '../fixtures/recur-process.ts';
import { RecurFleet, recurEnv, SANDBOX_WEBHOOK_SECRET, startLab, waitFor, type Lab } from '../support/fault-lab.ts';
import { recurApi, type RecurCall } from '../support/recur-api.ts';
import { effectsSeenTwice, notifications, recurAndSandbox, unsettledInboxEvents } from '../support/recur-equals-sandbox.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';
import { startWebhookCapture, type CapturedEvent } from '../support/webhook-capture.ts';

/** Fixed, so CI runs the same schedules every time; FAULT_SEED=<n> explores others, FAULT_SHRINK=1 shrinks a failure (slow: each try starts over). */
const SEED = Number(process.env.FAULT_SEED ?? 1204);
const RUNS = Number(process.env.FAULT_RUNS ?? 3);

type Step = { kind: 'advance'; days: number } | { kind: 'cancel'; subscription: number; atPeriodEnd: boolean };
export type Schedule = {
  /** Per subscription: does its card fail on charges after the first one? */
  failingCards: boolean[];
  yearly: boolean[];
  steps: Step[];
  /** Sort keys for the delivery order of the captured events (cycled). */
  order: number[];
  /** How often each event is delivered: 0 (dropped: only the reconciliation can find it) to 3. */
  copies: number[];
  /** Kill recur while it re-reads the event at this position of the deliveries (prepare), before it applies it; null: no crash. */
  crashAt: number | null;
};

const scheduleArbitrary: fc.Arbitrary<Schedule> = fc.integer({ min: 1, max: 3 }).chain((subscriptions) =>
  fc.record({
    failingCards: fc.array(fc.boolean(), { minLength: subscriptions, maxLength: subscriptions }),
    yearly: fc.array(fc.boolean(), { minLength: subscriptions, maxLength: subscriptions }),
    steps: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 40 }) }),
        fc.record({ kind: fc.constant('cancel' as const), subscription: fc.nat({ max: subscriptions - 1 }), atPeriodEnd: fc.boolean() }),
      ),
      { minLength: 1, maxLength: 5 },
    ),
    order: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 }),
    copies: fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 6, arbitrary: fc.constant(1) }, { weight: 3, arbitrary: fc.integer({ min: 2, max: 3 }) }), { minLength: 1, maxLength: 40 }),
    crashAt: fc.option(fc.nat({ max: 30 }), { nil: null, freq: 2 }),
  }),
);

/**
 * Issue 12, "property-based": random schedules over a few subscriptions (clock moves through
 * trial ends, renewals and failed charges, cancellations at Stripe), whose webhooks reach a real
 * `recur start` in a random order, some several times, some never, and a crash of recur while it
 * prepares an event (re-reads it from Stripe) before applying it. After the schedule and one
 * reconciliation run: recur equals the sandbox, and each effect happened once.
 */
describe.skipIf(!testDatabaseKinds.includes('postgres'))('random fault schedules, on postgres', () => {
  let database: TestDatabase;
  let lab: Lab;
  let fleet: RecurFleet;
  let call: RecurCall;
  let capture: Awaited<ReturnType<typeof startWebhookCapture>>;
  let run = 0;
  let crashes = 0;

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    lab = await startLab();
    capture = await startWebhookCapture(SANDBOX_WEBHOOK_SECRET);
    await lab.addWebhookEndpoint(capture.url);
    fleet = new RecurFleet(recurEnv(lab, database.url!), 1);
    const plans = await fleet.cli(['plans', 'sync']);
    expect(plans.code, plans.stderr).toBe(0);
    const key = await fleet.cli(['keys', 'create', '--name', 'schedules']);
    expect(key.code, key.stderr).toBe(0);
    call = recurApi(() => fleet.any().url, key.stdout.trim());
    await fleet.startAll();
  }, 120_000);

  afterAll(async () => {
    await killSpawnedProcesses();
    await capture?.stop();
    await lab?.stop();
    await database?.dispose();
  });

  /** Runs one schedule on fresh customers and checks the invariant; throws when it does not hold. */
  async function runSchedule(schedule: Schedule): Promise<void> {
    run += 1;
    const customers = schedule.failingCards.map((_, index) => ({ external_id: `run${run}-${index}`, email: `run${run}-${index}@fietsenwinkel.test`, name: `Run ${run} klant ${index}` }));
    const stripeSubscriptions: string[] = [];
    for (const [index, customer] of customers.entries()) {
      expect((await call('POST', '/v1/customers', customer)).status).toBe(201);
      const checkout = await call('POST', '/v1/checkout', { customer: customer.external_id, plan: schedule.yearly[index] ? 'yearly' : 'monthly', provider: 'stripe', return_url: 'https://fietsenwinkel.test/account' });
      expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
      const paid = await fetch(String(checkout.body.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ action: 'pay', card: schedule.failingCards[index] ? 'pm_card_chargeCustomerFail' : 'pm_card_visa' }).toString(),
        redirect: 'manual',
      });
      expect(paid.status).toBe(303);
      const session = await lab.stripe.checkout.sessions.retrieve(String(checkout.body.session_id));
      stripeSubscriptions.push(String(session.subscription));
    }
    for (const step of schedule.steps) {
      if (step.kind === 'advance') await lab.advanceDays(step.days);
      else {
        const subscription = await lab.stripe.subscriptions.retrieve(stripeSubscriptions[step.subscription]!);
        if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') continue;
        if (step.atPeriodEnd) await lab.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
        else await lab.stripe.subscriptions.cancel(subscription.id);
      }
    }
    await lab.flushWebhooks();

    // The deliveries: a random order, each event 0-3 times, perhaps a crash mid-prepare.
    const events = capture.take();
    const deliveries: CapturedEvent[] = events
      .map((event, index) => ({ event, key: schedule.order[index % schedule.order.length]!, index }))
      .sort((a, b) => a.key - b.key || a.index - b.index)
      .flatMap(({ event, index }) => Array.from({ length: schedule.copies[index % schedule.copies.length]! }, () => event));
    const recurNow = () => Date.now() + lab.clockOffsetMs();
    for (const [position, event] of deliveries.entries()) {
      if (position === schedule.crashAt) await crashWhilePreparing(event);
      else await deliverAsStripeWould(event, recurNow);
    }

    console.info(`[fault-schedules] run ${run}: ${customers.length} subscriptions, steps ${schedule.steps.map((step) => (step.kind === 'advance' ? `+${step.days}d` : `cancel${step.atPeriodEnd ? '@end' : ''}`)).join(' ')}, ${events.length} events, ${deliveries.length} deliveries (${events.length - new Set(deliveries.map((event) => event.id)).size} dropped), ${crashes} crashes so far`);
    const sync = await fleet.cli(['sync', 'stripe'], 90_000);
    expect(sync.code, sync.stderr).toBe(0);
    // An event whose processing was killed comes back after its lease, the minutely release, its backoff and the worker's next run.
    await waitFor('the inbox to be settled', async () => (await unsettledInboxEvents(call)).length === 0, 180_000, () => unsettledInboxEvents(call));
    // Notices written by applied events go out on the minutely delivery run: up to a minute, more on a busy machine.
    await waitFor('every notice to be sent', async () => (await notifications(call)).every((notice) => !['pending', 'sending'].includes(notice.status)), 150_000, async () => (await notifications(call)).filter((notice) => ['pending', 'sending'].includes(notice.status)));

    const { recur, sandbox } = await recurAndSandbox(lab, call, database.db, customers);
    expect(recur).toEqual(sandbox);
    const effects = await effectsSeenTwice(lab);
    expect(effects.mailsPerNotice).toEqual([]);
    expect(effects.freshAnswersPerKey).toEqual([]);
    expect(effects.writesWithoutIdempotencyKey).toEqual([]);
    const notices = await notifications(call);
    expect(new Set(notices.map((notice) => notice.business_key)).size).toBe(notices.length);
    expect(effects.mails).toBe(notices.filter((notice) => notice.channel === 'email' && ['sent', 'delivered', 'bounced'].includes(notice.status)).length);
  }

  /**
   * One delivery, sent again (signed afresh) after a refusal as Stripe does, at most 3 times.
   * Each refusal is printed with recur's answer and the end of its log: twice in full CI runs
   * (never alone or locally, 30+ tries) the first delivery after the crash was answered 400; its
   * answer was never seen, since CI shows only the end of the output. A delivery refused 3 times
   * fails the test with what recur said.
   */
  async function deliverAsStripeWould(event: CapturedEvent, recurNow: () => number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { status, told } = await capture.deliverAndTell(`${fleet.any().url}/webhooks/stripe`, event, recurNow());
      if (status === 200) return;
      const said = `${told} (attempt ${attempt})\nrecur's stderr ends:\n${fleet.any().stderr().slice(-1500)}`;
      console.warn(`[fault-schedules] refused: ${said}`);
      expect(attempt, said).toBeLessThan(3);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  /**
   * The seam between prepare and apply: Stripe's answers are slowed down, the event is delivered,
   * and once recur has claimed it (its re-read of the object under way) the process is killed.
   * The claim's lease runs out and a restarted process applies the event.
   */
  async function crashWhilePreparing(event: CapturedEvent): Promise<void> {
    crashes += 1;
    await lab.setFaults({ seed: SEED, requests: [{ provider: 'stripe', route: '*', errorRate: 0, errorStatus: 500, latencyMs: 5_000 }] });
    try {
      expect(await capture.deliver(`${fleet.any().url}/webhooks/stripe`, event, Date.now() + lab.clockOffsetMs())).toBe(200);
      const claimed = async () => (await call('GET', '/v1/webhook-events?status=processing')).body.data as unknown[];
      // An event recur ignores without a read (or one already stored) is never claimed for long: then no crash.
      const deadline = Date.now() + 4_000;
      while (Date.now() < deadline && (await claimed()).length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await fleet.killAndRestart(0);
    } finally {
      await lab.clearFaults();
    }
  }

  it(`holds for ${RUNS} random schedules (seed ${SEED})`, async () => {
    console.info(`[fault-schedules] seed ${SEED}, ${RUNS} runs (FAULT_SEED and FAULT_RUNS to change)`);
    await fc.assert(fc.asyncProperty(scheduleArbitrary, runSchedule), { seed: SEED, numRuns: RUNS, endOnFailure: process.env.FAULT_SHRINK !== '1', verbose: true });
  }, 720_000);
});
