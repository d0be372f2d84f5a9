import type { Database } from '../../db/database.ts';
import type { Locale } from '../../db/repositories/customer-repository.ts';
import type { Plan } from '../../domain/plan.ts';
import type { Clock } from '../../shared/clock.ts';
import type { EventProcessor, InboxEvent, PreparedEvent } from '../../webhooks/inbox-event.ts';
import type { EventHandlerDeps, ProviderEventDialect, ProviderEventEnvelope } from '../../providers/payments/provider-event-dialect.ts';
import type { ProviderOperations } from '../../providers/payments/provider-operations.ts';
import { shareReadsWithinBatch } from '../../providers/payments/share-reads-within-batch.ts';
import { linkedCustomers, linkedCustomersWithinBatch } from './linked-customers.ts';
import type { JobQueue } from '../service-context.ts';
import { applyProviderSnapshot } from './apply-provider-snapshot.ts';
import type { EntitlementPolicy } from '../../domain/entitlement.ts';

export type ProviderEventProcessorDeps<E extends ProviderEventEnvelope> = {
  /** How the provider speaks its events: envelope, handlers, version, batch grouping. */
  dialect: ProviderEventDialect<E>;
  gateway: ProviderOperations;
  db: Database;
  clock: Clock;
  plans: readonly Plan[];
  /** The rule the entitlement API answers with, for `entitlement.changed`. */
  entitlementPolicy: EntitlementPolicy;
  defaultLocale: Locale;
  /**
   * The job queue, read when an event is applied (the engine starts after the processor is
   * built, so `() => ctx.jobs`). Fraud reviews and dispute policies are queued through it in the
   * event's transaction; without it those facts are recorded and no policy runs.
   */
  jobs?: () => JobQueue | undefined;
};

const LATEST_CREATED_AFTER_RECEIPT_MS = 300_000;

/**
 * A provider's events -> recur's rows. `prepare` parses the envelope and lets the dialect's handler
 * re-read the event's object from the provider, because the payload may be older than what recur
 * already holds (or not the provider's word at all); `apply` writes the snapshot under the version
 * the dialect gives it (see each dialect for why that version).
 */
export function createProviderEventProcessor<E extends ProviderEventEnvelope>(deps: ProviderEventProcessorDeps<E>): EventProcessor {
  const { dialect } = deps;
  const processor: EventProcessor = (inboxEvent) => prepareEvent(inboxEvent, { gateway: deps.gateway, db: deps.db, linkedCustomer: linkedCustomers(deps.db) }, deps);
  // One batch: reads shared between its events, and the worker's own connections for the lookups.
  processor.forBatch = ({ db }) => {
    const handlerDeps: EventHandlerDeps = { gateway: shareReadsWithinBatch(deps.gateway), db, linkedCustomer: linkedCustomersWithinBatch(db) };
    return { objectOf: dialect.objectOf, stageOf: dialect.stageOf, prepare: (inboxEvent) => prepareEvent(inboxEvent, handlerDeps, deps) };
  };
  return processor;
}

const ignored = (reason: string): PreparedEvent => ({ apply: async () => ({ outcome: 'ignored', reason }) });

async function prepareEvent<E extends ProviderEventEnvelope>(inboxEvent: InboxEvent, handlerDeps: EventHandlerDeps, deps: ProviderEventProcessorDeps<E>): Promise<PreparedEvent> {
  const { dialect } = deps;
  const event = dialect.parse(inboxEvent.payload);
  if (typeof event === 'string') return ignored(event);
  const handler = dialect.handlers.get(event.type);
  if (!handler) return ignored(`recur does not use ${event.type}`);
  // The event's time may become the version of what is written: a signed body dated after its own
  // arrival would make every genuine event until then stale. A provider cannot date an event later
  // than it sends it (the signature's time window covers the clocks' difference).
  if (event.datedAt.getTime() > inboxEvent.receivedAt.getTime() + LATEST_CREATED_AFTER_RECEIPT_MS) {
    return ignored(`the event is dated ${event.datedAt.toISOString()}, after it was received (${inboxEvent.receivedAt.toISOString()})`);
  }
  const snapshot = await handler(event, handlerDeps);
  if (typeof snapshot === 'string') return ignored(snapshot);
  const version = dialect.versionOf(event, snapshot);
  return {
    // The snapshot is everything the apply writes, under its version.
    effect: { key: JSON.stringify(snapshot), version: version.getTime() },
    apply: (tx) => {
      const jobs = deps.jobs?.();
      return applyProviderSnapshot(tx, snapshot, {
        provider: dialect.provider,
        version,
        now: deps.clock.now(),
        actor: `webhook:${dialect.provider}:${event.id}`,
        plans: deps.plans,
        entitlementPolicy: deps.entitlementPolicy,
        defaultLocale: deps.defaultLocale,
        ...(jobs ? { jobs } : {}),
      });
    },
  };
}
