import { findProviderCustomerId } from '../../../../db/repositories/provider-customer-repository.ts';
import { findPaymentByProviderId } from '../../../../db/repositories/payment-repository.ts';
import type { EventHandlerDeps } from '../../provider-event-dialect.ts';
import type { ProviderPayment } from '../../provider-objects.ts';
import { emptySnapshot, type ProviderSnapshot } from '../../provider-snapshot.ts';

/**
 * The snapshot's customer part: the payer (PayPal's id for the buyer) and recur's customer id as
 * recur wrote it into the subscription's `custom_id` at checkout. A payer recur has never linked
 * and no recur id to link it by: the provider's customer read is asked (PayPal keeps no customer
 * object; the gateway answers what it knows of the payer, or null, and the event is then ignored).
 */
export async function customerPart(deps: EventHandlerDeps, payerId: string, recurCustomerId: string | null): Promise<ProviderSnapshot> {
  const snapshot = { ...emptySnapshot(payerId), metadataCustomerId: recurCustomerId };
  if (recurCustomerId) return snapshot;
  const linked = await deps.linkedCustomer('paypal', payerId);
  if (linked) return { ...snapshot, linkedCustomerId: linked };
  const payer = await deps.gateway.retrieveCustomer(payerId);
  return { ...snapshot, metadataCustomerId: payer?.recurCustomerId ?? null, customerDetails: payer ? { email: payer.email, name: payer.name } : null };
}

/**
 * The payer of a payment PayPal's read does not name one for (a sale read through the captures
 * API carries no payer): the payer recur linked to the customer it recorded that payment under,
 * from an earlier PayPal answer. null when recur holds no such payment yet.
 */
export async function payerOfRecordedPayment(deps: EventHandlerDeps, payment: ProviderPayment): Promise<string | null> {
  const recorded = await findPaymentByProviderId(deps.db, 'paypal', payment.id);
  return recorded ? findProviderCustomerId(deps.db, recorded.customerId, 'paypal') : null;
}
