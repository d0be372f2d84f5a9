import type { Queryable } from '../../db/database.ts';
import type { ProviderId } from '../../domain/provider.ts';
import type { InboxEvent } from '../../webhooks/inbox-event.ts';
import type { ProviderOperations } from './provider-operations.ts';
import type { ProviderSnapshot } from './provider-snapshot.ts';

/** The few fields of a provider event every dialect reads from its envelope. */
export type ProviderEventEnvelope = {
  id: string;
  type: string;
  /** When the provider dated the event (Stripe's `created`, PayPal's `create_time`). */
  datedAt: Date;
};

/** What a handler may use: the provider's reads (shared within a batch) and the worker's connections for lookups. */
/** The recur customer linked to a provider customer (`provider_customers`), or null. */
export type LinkedCustomerLookup = (provider: ProviderId, providerCustomerId: string) => Promise<string | null>;

export type EventHandlerDeps = { gateway: ProviderOperations; db: Queryable; linkedCustomer: LinkedCustomerLookup };

/**
 * A handler reads what it needs from the provider; a string is the reason the event is ignored.
 * The payload only names what to read: every fact applied comes from the provider's answer (ADR 0013).
 */
export type ProviderEventHandler<E extends ProviderEventEnvelope> = (event: E, deps: EventHandlerDeps) => Promise<ProviderSnapshot | string>;

/**
 * How one provider speaks its webhook events, for the provider-neutral event processor
 * (src/services/sync/create-provider-event-processor.ts): its envelope, its event type -> handler
 * map, the version a snapshot is written under, and how a batch groups and orders its events.
 */
export type ProviderEventDialect<E extends ProviderEventEnvelope = ProviderEventEnvelope> = {
  provider: ProviderId;
  /** The envelope of a verified body; a string says why it cannot be read (the event is then ignored with it). */
  parse(payload: unknown): E | string;
  /** Event type -> handler (a Map: a type like "constructor" must not hit a prototype). Unlisted types are ignored. */
  handlers: ReadonlyMap<string, ProviderEventHandler<E>>;
  /**
   * The version the snapshot is written under: of two writes of one subscription, the one with the
   * newer version wins (the repository's guard). Never a date of a fact (ADR 0009).
   */
  versionOf(event: E, snapshot: ProviderSnapshot): Date;
  /** The provider object an event is about, for grouping a batch (BatchProcessor.objectOf). */
  objectOf(event: InboxEvent): string | null;
  /** The stage of an object's group within a batch (BatchProcessor.stageOf). */
  stageOf(object: string): number;
};
