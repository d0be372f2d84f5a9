import { z } from 'zod';
import { SandboxClock } from '../../core/sandbox-clock.ts';
import { Collection, type CollectionSnapshot } from './collection.ts';
import type { CheckoutPlan, StripeState, SubscriptionNotices } from './stripe-state.ts';
import { timerKinds, type Timer } from './timers.ts';

/**
 * Everything a StripeState holds, as plain data. Maps become lists of entries rather than
 * objects, because their order is meaningful (test clocks run in creation order).
 */
export type StripeStateSnapshot = {
  collections: Record<string, CollectionSnapshot<{ id: string }>>;
  testClockTimes: Array<[string, number]>;
  checkoutPlans: Array<[string, CheckoutPlan]>;
  notices: Array<[string, SubscriptionNotices]>;
  paymentPurpose: Array<[string, { invoice?: string; checkoutSession?: string }]>;
  invoiceIntents: Array<[string, string]>;
  cashBalances: Array<[string, Array<[string, number]>]>;
  authenticatedOnce: string[];
  timers: Timer[];
  timerSeq: number;
};

const entries = <T extends z.ZodType>(value: T) => z.array(z.tuple([z.string(), value]));

/** The shape, checked down to the stored objects, which are trusted to be what `snapshotState` wrote. */
export const stripeStateSnapshotSchema = z.object({
  collections: z.record(z.string(), z.object({ items: z.array(z.looseObject({ id: z.string() })), deleted: z.array(z.string()) })),
  testClockTimes: entries(z.number().int()),
  checkoutPlans: entries(z.looseObject({ lineItems: z.array(z.unknown()), subscriptionData: z.looseObject({}), paymentIntentData: z.looseObject({}) })),
  notices: entries(z.object({ trialWillEndFor: z.number().nullable(), upcomingFor: z.number().nullable() })),
  paymentPurpose: entries(z.object({ invoice: z.string().optional(), checkoutSession: z.string().optional() })),
  invoiceIntents: entries(z.string()),
  cashBalances: entries(entries(z.number())),
  authenticatedOnce: z.array(z.string()),
  timers: z.array(z.object({ at: z.number().int(), clockId: z.string().nullable(), seq: z.number().int(), kind: z.enum(timerKinds), args: z.record(z.string(), z.unknown()) })),
  timerSeq: z.number().int().min(0),
});

/** Every Collection field of the state, by its name, so that a new collection is persisted without being listed here. */
function collectionsOf(state: StripeState): Array<[string, Collection<{ id: string }>]> {
  return Object.entries(state).filter((entry): entry is [string, Collection<{ id: string }>] => entry[1] instanceof Collection);
}

/** The live objects, not copies: whoever keeps a snapshot serialises it before anything can change. */
export function snapshotState(state: StripeState): StripeStateSnapshot {
  return {
    collections: Object.fromEntries(collectionsOf(state).map(([name, collection]) => [name, collection.snapshot()])),
    testClockTimes: [...state.testClockTimes].map(([id, clock]) => [id, clock.nowSeconds()]),
    checkoutPlans: [...state.checkoutPlans],
    notices: [...state.notices],
    paymentPurpose: [...state.paymentPurpose],
    invoiceIntents: [...state.invoiceIntents],
    cashBalances: [...state.cashBalances].map(([customer, balances]) => [customer, [...balances]]),
    authenticatedOnce: [...state.authenticatedOnce],
    timers: state.timers,
    timerSeq: state.timerSeq,
  };
}

/** Collections added after snapshots were first written: a state file from before them has none, and starts them empty. */
const ADDED_LATER = new Set(['mandates', 'setupIntents', 'setupAttempts']);

/** Empties the state and fills it from a snapshot; throws, changing nothing, when a collection is missing. */
export function loadState(state: StripeState, snapshot: StripeStateSnapshot): void {
  const collections = collectionsOf(state);
  const missing = collections.map(([name]) => name).filter((name) => !snapshot.collections[name] && !ADDED_LATER.has(name));
  if (missing.length > 0) throw new Error(`the Stripe sandbox snapshot has no ${missing.join(', ')}`);
  state.reset();
  for (const [name, collection] of collections) collection.load(snapshot.collections[name] ?? { items: [], deleted: [] });
  for (const [id, seconds] of snapshot.testClockTimes) state.testClockTimes.set(id, new SandboxClock(new Date(seconds * 1000)));
  for (const [id, plan] of snapshot.checkoutPlans) state.checkoutPlans.set(id, plan);
  for (const [id, notices] of snapshot.notices) state.notices.set(id, notices);
  for (const [id, purpose] of snapshot.paymentPurpose) state.paymentPurpose.set(id, purpose);
  for (const [id, intent] of snapshot.invoiceIntents) state.invoiceIntents.set(id, intent);
  for (const [customer, balances] of snapshot.cashBalances) state.cashBalances.set(customer, new Map(balances));
  for (const id of snapshot.authenticatedOnce) state.authenticatedOnce.add(id);
  state.timers = snapshot.timers;
  state.timerSeq = snapshot.timerSeq;
}
