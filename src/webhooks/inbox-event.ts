import type { Queryable } from '../db/database.ts';
import type { ProviderId } from '../domain/provider.ts';

/** A verified provider event as the inbox holds it. */
export type InboxEvent = {
  id: number;
  provider: ProviderId;
  providerEventId: string;
  type: string;
  payload: unknown;
  /** 1 on the first processing attempt. */
  attempt: number;
  receivedAt: Date;
};

export type ProcessingOutcome = { outcome: 'applied'; summary?: string } | { outcome: 'ignored'; reason: string };

/**
 * Handles one event in two steps. First, outside any transaction, it reads what it needs from
 * the provider (the current object, when the payload may be stale): a network call must never
 * hold a database transaction open (on PGlite that would stall every other query). Then `apply`
 * runs inside the worker's transaction, the same one that marks the inbox row processed, so an
 * event's effects and its "done" mark commit together. Throwing from either step means "retry
 * later".
 */
export type EventProcessor = ((event: InboxEvent) => Promise<PreparedEvent>) & {
  /** Present when the processor can share its reads across one claimed batch. */
  forBatch?: (options: { db: Queryable }) => BatchProcessor;
};

/**
 * The processor for one claimed batch. `objectOf` names the provider object an event is about
 * (events with the same name are prepared and applied in arrival order, in one group; null: the
 * event is a group of its own). `prepare` is the processor's first step; reads of the same object
 * made while the batch runs are made once, and since every event of the batch was received before
 * the batch was claimed, that one read is at least as new as each of them.
 */
export type BatchProcessor = {
  objectOf(event: InboxEvent): string | null;
  /**
   * The stage of an object's group within a batch (absent: 0). Stages run one after another, the
   * groups of one stage concurrently: facts other objects refer to (a subscription and its
   * invoices, which link the payments to it) are committed before the objects that look them up
   * (a dispute, whose policy job may run the moment its group commits), as in arrival order.
   */
  stageOf?(object: string): number;
  prepare(event: InboxEvent): Promise<PreparedEvent>;
};

export type PreparedEvent = {
  apply(tx: Queryable): Promise<ProcessingOutcome>;
  /**
   * What `apply` would write, as a key, with the version it would write it under: of the events of
   * one batch group with the same key (the same state read once for all of them), only the one with
   * the newest version is applied; the others are marked processed with it. Absent: always applied.
   */
  effect?: { key: string; version: number };
};
