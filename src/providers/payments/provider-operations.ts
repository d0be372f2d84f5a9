import type { CoreOperations } from './core-operations.ts';
import type { ReconciliationOperations } from './reconciliation-operations.ts';
import type { RefundOperations } from './refund-operations.ts';
import type { RiskOperations } from './risk-operations.ts';
import type { SubscriptionChangeOperations } from './subscription-change-operations.ts';

/**
 * Everything recur asks of a payment provider, in recur's own types: the core (catalogue,
 * customers, checkout, reads for webhooks), reconciliation, subscription changes, and payments and
 * disputes (risk). Each part is its own file; an adapter implements all of them, and what it
 * cannot do is declared in its capabilities (provider-capabilities.ts), not faked.
 */
export type ProviderOperations = CoreOperations & ReconciliationOperations & SubscriptionChangeOperations & RiskOperations & RefundOperations;
