import { createMoney } from '../../../domain/money.ts';
import type { RefundOperations } from '../refund-operations.ts';
import type { PaypalClient } from './create-paypal-client.ts';
import { derivePaypalRequestId } from './derive-paypal-request-id.ts';
import { toPaypalProviderRefund } from './map-paypal-payments.ts';
import { toPaypalValue } from './paypal-money.ts';

/**
 * Refunds of a capture (an order's, or a subscription's sale: Payments v2 refunds both) through the
 * official SDK, with a PayPal-Request-Id derived from recur's key: PayPal answers a retry with the
 * first refund instead of refunding again. `custom_id` carries recur's refund id.
 */
export function createPaypalRefundOperations(client: PaypalClient): RefundOperations {
  return {
    async refundPayment(captureId, request, idempotencyKey) {
      const amount = { currencyCode: request.currency, value: toPaypalValue(createMoney(request.amountMinor, request.currency)) };
      const refund = await client.sdk.refundCapture(captureId, { amount, customId: request.refundId }, derivePaypalRequestId(['refund', captureId, idempotencyKey]));
      return toPaypalProviderRefund(refund);
    },
  };
}
