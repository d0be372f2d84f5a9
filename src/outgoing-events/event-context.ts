import type { EntitlementPolicy } from '../domain/entitlement.ts';

/** What deciding outgoing events needs besides the change: recur's time and the entitlement rule the API answers with. */
export type OutgoingEventContext = { now: Date; entitlementPolicy: EntitlementPolicy };
