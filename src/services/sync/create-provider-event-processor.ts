import type { Database } from '../../db/database.ts';
import type { Locale } from '../../db/repositories/customer-repository.ts';
import type { Plan } from '../../domain/plan.ts';
import type { Clock } from '../../shared/clock.ts';
import type { EventProcessor, InboxEvent, PreparedEvent } from '../../webhooks/inbox-event.ts';
import type { ProviderOperations } from '../../providers/payments/provider-operations.ts';
import type { JobQueue } from '../service-context.ts';
import { applyProviderSnapshot } from './apply-provider-snapshot.ts';
import { parseStripeEvent } from '../../providers/payments/stripe/events/stripe-event-envelope.ts';
import { stripeEventHandlers, type HandlerDeps } from '../../providers/payments/stripe/events/stripe-event-handlers.ts';
import { stripeObjectOf, stripeStageOf } from '../../providers/payments/stripe/events/stripe-event-object.ts';
import { shareReadsWithinBatch } from '../../providers/payments/stripe/share-reads-within-batch.ts';

export type ProviderEventProcessorDeps = {
  gateway: ProviderOperations;
  db: Database;
  clock: Clock;
  plans: readonly Plan[];
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
 * Stripe events -> recur's rows. `prepare` re-reads the event's object from Stripe, because the
 * payload may be older than what recur already holds; `apply` writes it with the event's
 * `created` as the version. Why the event's time and not the moment of the read: the read is
 * made after the event existed, so it is at least as new as the event, and tagging it with the
 * event's time keeps the guard on Stripe's own clock (recur's clock and Stripe's need not agree).
 * Of two events for one subscription, the later one (by `created`) wins, and it carries a read
 * made no earlier than the other's. The one gap: a slow read of a newer event overtaken by a
 * faster read of an older one; the next event or the reconciliation run repairs that.
 */
export function createProviderEventProcessor(deps: ProviderEventProcessorDeps): EventProcessor {
  const processor: EventProcessor = (inboxEvent) => prepareStripeEvent(inboxEvent, { gateway: deps.gateway, db: deps.db }, deps);
  // One batch: reads shared between its events, and the worker's own connections for the lookups.
  processor.forBatch = ({ db }) => {
    const handlerDeps: HandlerDeps = { gateway: shareReadsWithinBatch(deps.gateway), db };
    return { objectOf: stripeObjectOf, stageOf: stripeStageOf, prepare: (inboxEvent) => prepareStripeEvent(inboxEvent, handlerDeps, deps) };
  };
  return processor;
}

async function prepareStripeEvent(inboxEvent: InboxEvent, handlerDeps: HandlerDeps, deps: ProviderEventProcessorDeps): Promise<PreparedEvent> {
  const event = parseStripeEvent(inboxEvent.payload);
  const handler = stripeEventHandlers.get(event.type);
  if (!handler) return { apply: async () => ({ outcome: 'ignored', reason: `recur does not use ${event.type}` }) };
  // The event's time becomes the version of what is written: a signed body dated after its own
  // arrival would make every genuine event until then stale. Stripe cannot date an event later
  // than it sends it (the signature's 300 s window covers the clocks' difference).
  const dated = new Date(event.created * 1000);
  if (dated.getTime() > inboxEvent.receivedAt.getTime() + LATEST_CREATED_AFTER_RECEIPT_MS) {
    return { apply: async () => ({ outcome: 'ignored', reason: `the event is dated ${dated.toISOString()}, after it was received (${inboxEvent.receivedAt.toISOString()})` }) };
  }
  const snapshot = await handler(event, handlerDeps);
  if (typeof snapshot === 'string') return { apply: async () => ({ outcome: 'ignored', reason: snapshot }) };
  return {
    // The snapshot is everything the apply writes; the event's own time is its version.
    effect: { key: JSON.stringify(snapshot), version: event.created },
    apply: (tx) => {
      const jobs = deps.jobs?.();
      return applyProviderSnapshot(tx, snapshot, {
        version: new Date(event.created * 1000),
        now: deps.clock.now(),
        actor: `webhook:stripe:${event.id}`,
        plans: deps.plans,
        defaultLocale: deps.defaultLocale,
        ...(jobs ? { jobs } : {}),
      });
    },
  };
}
