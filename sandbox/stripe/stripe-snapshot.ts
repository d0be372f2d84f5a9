import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { EventLog } from './events/event-log.ts';
import { adjustableSettingsSchema, type AdjustableSettings, type StripeSettings } from './settings.ts';
import { loadState, snapshotState, stripeStateSnapshotSchema, type StripeStateSnapshot } from './state/state-snapshot.ts';
import type { StripeState } from './state/stripe-state.ts';
import type { IdempotencyRecord, IdempotencyStore } from './wire/idempotency.ts';

const FORMAT = 1;

/** What the emulator remembers beyond its objects, and the settings it was started with. */
export type StripeMemory = {
  state: StripeState;
  idempotency: IdempotencyStore;
  events: EventLog;
  settings: StripeSettings;
  initialSettings: StripeSettings;
};

const idempotencyRecordSchema = z.tuple([
  z.string(),
  z.object({ fingerprint: z.string(), createdAt: z.number().int(), requestId: z.string(), response: z.object({ status: z.number().int(), body: z.string() }) }),
]);

const snapshotSchema = z.object({
  format: z.literal(FORMAT),
  state: stripeStateSnapshotSchema,
  idempotency: z.array(idempotencyRecordSchema),
  eventsRecorded: z.number().int().min(0),
  /** Only the settings changed at run time: the rest follow what the restarted sandbox is started with. */
  settings: adjustableSettingsSchema,
});

const adjustableKeys = Object.keys(adjustableSettingsSchema.shape) as Array<keyof AdjustableSettings>;

function changedSettings(memory: StripeMemory): AdjustableSettings {
  return Object.fromEntries(adjustableKeys.filter((key) => !isDeepStrictEqual(memory.settings[key], memory.initialSettings[key])).map((key) => [key, memory.settings[key]]));
}

/**
 * Plain JSON data that shares its objects with the live state: the state file serialises it at
 * once. A copy here would more than double the cost of every save (~200 ms for a year of 200
 * subscriptions), which the sandbox pays shortly after each change.
 */
export function snapshotStripe(memory: StripeMemory): unknown {
  const snapshot: z.input<typeof snapshotSchema> = {
    format: FORMAT,
    state: snapshotState(memory.state) as z.input<typeof stripeStateSnapshotSchema>,
    idempotency: memory.idempotency.snapshot(),
    eventsRecorded: memory.events.recorded,
    settings: changedSettings(memory),
  };
  return snapshot;
}

/** Replaces everything with what `snapshot` holds; throws, changing nothing, on anything else. */
export function restoreStripe(memory: StripeMemory, snapshot: unknown): void {
  const parsed = snapshotSchema.safeParse(snapshot);
  if (!parsed.success) throw new Error(`not a Stripe sandbox snapshot (format ${FORMAT}):\n${z.prettifyError(parsed.error)}`);
  // A copy, so that the restored objects share nothing with the caller's snapshot.
  const data = structuredClone(parsed.data);
  loadState(memory.state, data.state as StripeStateSnapshot);
  memory.idempotency.restore(data.idempotency as IdempotencyRecord[]);
  memory.events.recorded = data.eventsRecorded;
  const started = Object.fromEntries(adjustableKeys.map((key) => [key, structuredClone(memory.initialSettings[key])]));
  Object.assign(memory.settings, started, data.settings);
}
