import type { Queryable } from '../db/database.ts';
import type { CustomerRecord } from '../db/repositories/customer-repository.ts';
import { recordOutgoingEvent } from '../db/repositories/outgoing-event-repository.ts';
import { toCustomerObject } from '../presentation/customer-object.ts';
import type { OutgoingEventContext } from './event-context.ts';
import { recordEntitlementChange } from './record-entitlement-change.ts';

/** `customer.created`, with the customer as the API shows it, in the transaction that inserted it (by the shop or from a provider's customer). */
export async function recordCustomerCreated(tx: Queryable, customer: CustomerRecord, now: Date): Promise<void> {
  await recordOutgoingEvent(tx, { type: 'customer.created', customerId: customer.id, businessKey: `customer.created:${customer.id}`, data: toCustomerObject(customer), occurredAt: customer.createdAt, now });
}

/**
 * `customer.updated` in the transaction that wrote the change, keyed on the row's `updated_at`
 * (each write is its own fact); then the entitlement, which a ban or its lifting moves. A write
 * that changed nothing the API shows (the same fields sent again) is no news.
 */
export async function recordCustomerUpdated(tx: Queryable, change: { before: CustomerRecord; after: CustomerRecord }, ctx: OutgoingEventContext): Promise<void> {
  const { before, after } = change;
  if (sameAsShown(before, after)) return;
  await recordOutgoingEvent(tx, {
    type: 'customer.updated',
    customerId: after.id,
    businessKey: `customer.updated:${after.id}:${after.updatedAt.toISOString()}`,
    data: toCustomerObject(after),
    occurredAt: after.updatedAt,
    now: ctx.now,
  });
  await recordEntitlementChange(tx, { customerId: after.id, occurredAt: after.updatedAt }, ctx);
}

function sameAsShown(before: CustomerRecord, after: CustomerRecord): boolean {
  const { updated_at: _before, ...shownBefore } = toCustomerObject(before);
  const { updated_at: _after, ...shownAfter } = toCustomerObject(after);
  return JSON.stringify(shownBefore) === JSON.stringify(shownAfter);
}
