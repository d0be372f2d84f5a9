import type Stripe from 'stripe';
import type { BillingEngine } from '../billing/billing-engine.ts';
import { SandboxClock } from '../../core/sandbox-clock.ts';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import { PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import { listPage, newestFirst } from '../wire/list.ts';
import { optionalString, requireInt } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';

const LIFETIME_SECONDS = 30 * 86_400;

/**
 * Moves one test clock to `target` through every due moment of its customers' subscriptions,
 * the way the core scheduler moves the shared clock. Other objects do not notice.
 */
function advance(rt: StripeRuntime, engine: BillingEngine, testClock: Stripe.TestHelpers.TestClock, target: number): Stripe.TestHelpers.TestClock {
  const clock = rt.state.testClockTimes.get(testClock.id)!;
  if (target <= clock.nowSeconds()) throw stripeErrors.invalidRequest('The frozen_time must be after the current frozen_time of the test clock.', 'frozen_time');
  testClock.status = 'advancing';
  const answer = structuredClone({ ...testClock, frozen_time: target });
  rt.events.record('test_helpers.test_clock.advancing', answer);
  for (;;) {
    const due = engine.nextAt(testClock.id);
    if (due === null || due > target) break;
    if (due > clock.nowSeconds()) clock.set(new Date(due * 1000));
    engine.runDue(testClock.id, clock.nowSeconds());
  }
  clock.set(new Date(target * 1000));
  testClock.frozen_time = target;
  testClock.status = 'ready';
  rt.events.record('test_helpers.test_clock.ready', testClock);
  // Stripe answers while the clock is still advancing; clients poll until `ready`.
  return answer;
}

function remove(rt: StripeRuntime, testClock: Stripe.TestHelpers.TestClock): void {
  for (const customer of rt.state.customers.filter((c) => c.test_clock === testClock.id)) {
    for (const subscription of rt.state.subscriptions.filter((s) => s.customer === customer.id)) rt.state.subscriptions.remove(subscription.id);
    rt.state.customers.remove(customer.id);
  }
  rt.state.testClocks.remove(testClock.id);
  rt.state.testClockTimes.delete(testClock.id);
  rt.state.timers = rt.state.timers.filter((timer) => timer.clockId !== testClock.id);
  rt.events.record('test_helpers.test_clock.deleted', testClock);
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'POST /test_helpers/test_clocks': { frozen_time: true, name: true } satisfies SpecOf<Stripe.TestHelpers.TestClockCreateParams>,
  'GET /test_helpers/test_clocks/:id': {} satisfies SpecOf<Stripe.TestHelpers.TestClockRetrieveParams>,
  'POST /test_helpers/test_clocks/:id/advance': { frozen_time: true } satisfies SpecOf<Stripe.TestHelpers.TestClockAdvanceParams>,
  'DELETE /test_helpers/test_clocks/:id': {} satisfies SpecOf<Stripe.TestHelpers.TestClockDeleteParams>,
  'GET /test_helpers/test_clocks': { ...PAGINATION } satisfies SpecOf<Stripe.TestHelpers.TestClockListParams>,
};

export function testClockRoutes(rt: StripeRuntime, engine: BillingEngine): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /test_helpers/test_clocks': ({ params }) => {
      const frozenTime = requireInt(params, 'frozen_time', { min: 0 });
      const now = rt.time.sharedNow();
      const testClock: Stripe.TestHelpers.TestClock = {
        id: newId('clock'),
        object: 'test_helpers.test_clock',
        created: now,
        deletes_after: now + LIFETIME_SECONDS,
        frozen_time: frozenTime,
        livemode: false,
        name: optionalString(params, 'name') ?? null,
        status: 'ready',
        status_details: {},
      };
      state.testClocks.add(testClock);
      state.testClockTimes.set(testClock.id, new SandboxClock(new Date(frozenTime * 1000)));
      rt.events.record('test_helpers.test_clock.created', testClock);
      return testClock;
    },
    'GET /test_helpers/test_clocks/:id': ({ path }) => state.testClocks.require(path.id!),
    'POST /test_helpers/test_clocks/:id/advance': ({ path, params }) => advance(rt, engine, state.testClocks.require(path.id!), requireInt(params, 'frozen_time', { min: 0 })),
    'DELETE /test_helpers/test_clocks/:id': ({ path }) => {
      const testClock = state.testClocks.require(path.id!);
      remove(rt, testClock);
      return { id: testClock.id, object: 'test_helpers.test_clock', deleted: true };
    },
    'GET /test_helpers/test_clocks': ({ params }) => listPage(newestFirst(state.testClocks.all()), params, '/v1/test_helpers/test_clocks'),
  });
}
