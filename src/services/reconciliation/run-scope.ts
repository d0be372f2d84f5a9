import type { Queryable } from '../../db/database.ts';
import type { NewReconciliationItem } from '../../db/repositories/reconciliation-run-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import type { ServiceContext } from '../service-context.ts';
import type { ReconcileGateway } from './rate-limited-gateway.ts';

export type ReconcilePhase = 'subscriptions' | 'customers' | 'events';

/** After every page: how far a phase has come (lists carry no totals, so no percentage). */
export type ReconcileProgress = { phase: ReconcilePhase; pages: number; objects: number; done: boolean };

/** What every step of one run shares. */
export type RunScope = {
  ctx: ServiceContext;
  gateway: ReconcileGateway;
  provider: ProviderId;
  /** Whether recur may set the provider's e-mail of a customer to its own (PayPal's payer owns theirs). */
  setsProviderEmail: boolean;
  runId: string;
  /** `reconcile:{runId}`: the audit log's actor for every change the run makes. */
  actor: string;
  startedAt: Date;
  /** Writes one drift report item, in the transaction of the change it describes. */
  record(tx: Queryable, item: NewReconciliationItem): Promise<void>;
  /** Writes several in one statement, in the transaction of what they describe. */
  recordMany(tx: Queryable, items: readonly NewReconciliationItem[]): Promise<void>;
  progress(progress: ReconcileProgress): void;
};
