import type { ProviderOperations } from '../provider-operations.ts';

/** Stripe's implementation of recur's provider operations (create-stripe-gateway.ts builds it). */
export type StripeGateway = ProviderOperations;
