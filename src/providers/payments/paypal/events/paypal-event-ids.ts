import { linkedId, textField, type PaypalEventEnvelope } from './paypal-event-envelope.ts';

/**
 * The ids a PayPal event names, by its resource's shape: the only things taken from a body. Each
 * names what to read back from PayPal; none is a fact recur applies.
 */

const isRefund = (event: PaypalEventEnvelope) => event.resourceType === 'refund';

/** The subscription: a subscription resource's `id`, a sale's (or a sale refund's) `billing_agreement_id`. */
export function subscriptionIdOf(event: PaypalEventEnvelope): string | null {
  if (event.type.startsWith('BILLING.SUBSCRIPTION.')) return textField(event.resource, 'id');
  if (event.type.startsWith('PAYMENT.SALE.')) return textField(event.resource, 'billing_agreement_id');
  return null;
}

/** The sale: a sale resource's `id`; a refund's `sale_id` (or its `sale` link). */
export function saleIdOf(event: PaypalEventEnvelope): string | null {
  if (!isRefund(event)) return textField(event.resource, 'id');
  return textField(event.resource, 'sale_id') ?? linkedId(event.resource, 'sale', 'sale');
}

/** The capture: a capture resource's `id`; a refund's `up` link (the capture it refunds). */
export function captureIdOf(event: PaypalEventEnvelope): string | null {
  if (!isRefund(event)) return textField(event.resource, 'id');
  return linkedId(event.resource, 'up', 'captures');
}

/** The refund a refund resource is (PAYMENT.SALE.REFUNDED, PAYMENT.CAPTURE.REFUNDED); null for any other resource. */
export const refundIdOf = (event: PaypalEventEnvelope): string | null => (isRefund(event) ? textField(event.resource, 'id') : null);

export const disputeIdOf = (event: PaypalEventEnvelope): string | null => textField(event.resource, 'dispute_id');

export const orderIdOf = (event: PaypalEventEnvelope): string | null => textField(event.resource, 'id');
