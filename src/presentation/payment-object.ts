import type { PaymentRecord, PaymentStatus } from '../db/repositories/payment-repository.ts';
import type { ProviderId } from '../domain/provider.ts';
import { isoOrNull } from './iso-time.ts';

/**
 * A payment as outgoing events carry it, in the API's style (snake_case, minor units, ISO times);
 * `customer` is the shop's external id. `amount_refunded_minor` is the refunded total so far.
 */
export type PaymentObject = {
  id: string;
  customer: string;
  subscription_id: string | null;
  provider: ProviderId;
  provider_payment_id: string;
  kind: 'one_time' | 'subscription';
  amount_minor: number;
  currency: string;
  amount_refunded_minor: number;
  status: PaymentStatus;
  method_summary: string | null;
  invoiced_at: string | null;
  created_at: string;
  updated_at: string;
};

export const toPaymentObject = (payment: PaymentRecord, customerExternalId: string): PaymentObject => ({
  id: payment.id,
  customer: customerExternalId,
  subscription_id: payment.subscriptionId,
  provider: payment.provider,
  provider_payment_id: payment.providerPaymentId,
  kind: payment.kind,
  amount_minor: payment.amountMinor,
  currency: payment.currency,
  amount_refunded_minor: payment.amountRefundedMinor,
  status: payment.status,
  method_summary: payment.methodSummary,
  invoiced_at: isoOrNull(payment.invoiceAt),
  created_at: payment.createdAt.toISOString(),
  updated_at: payment.updatedAt.toISOString(),
});
