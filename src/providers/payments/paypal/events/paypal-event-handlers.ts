import { RecurError } from '../../../../shared/errors.ts';
import type { EventHandlerDeps, ProviderEventHandler } from '../../provider-event-dialect.ts';
import { findCheckoutSession } from '../../../../db/repositories/checkout-session-repository.ts';
import type { ProviderCheckoutSession, ProviderPayment } from '../../provider-objects.ts';
import { emptySnapshot, type ProviderSnapshot } from '../../provider-snapshot.ts';
import type { ProviderDispute } from '../../risk-operations.ts';
import { customerPart, payerOfRecordedPayment } from './paypal-event-customer.ts';
import type { PaypalEventEnvelope } from './paypal-event-envelope.ts';
import { captureIdOf, disputeIdOf, orderIdOf, refundIdOf, saleIdOf, subscriptionIdOf } from './paypal-event-ids.ts';

/**
 * A handler takes only ids from the body and reads the objects back from PayPal: every fact
 * applied (status, dates, amounts, the payer, recur's customer id in `custom_id`) is PayPal's
 * answer (ADR 0013). An object PayPal does not have makes the event ignored with that reason.
 */
export type PaypalEventHandler = ProviderEventHandler<PaypalEventEnvelope>;

const unknownAtPaypal = (what: string, id: string) => `${what} ${id} does not exist at PayPal (the event is not applied)`;

/** The subscription as PayPal holds it now, under its payer. */
async function subscriptionSnapshot(deps: EventHandlerDeps, id: string): Promise<ProviderSnapshot | string> {
  const subscription = await deps.gateway.retrieveSubscription(id);
  if (!subscription) return unknownAtPaypal('subscription', id);
  // Before approval PayPal knows no payer: an unfinished checkout, nobody's subscription yet.
  if (!subscription.providerCustomerId) return `subscription ${id} has no payer yet (not approved)`;
  return { ...(await customerPart(deps, subscription.providerCustomerId, subscription.metadata['recur_customer_id'] ?? null)), subscription };
}

/**
 * One payment as PayPal holds it, with its subscription when it pays one. `named`: the subscription
 * the event names (a sale's `billing_agreement_id`), read back before it is believed, and refused
 * when PayPal's own read of the payment says another subscription or payer.
 */
async function paymentSnapshot(deps: EventHandlerDeps, payment: ProviderPayment, named: string | null): Promise<ProviderSnapshot | string> {
  if (payment.providerSubscriptionId && named && payment.providerSubscriptionId !== named) {
    return `payment ${payment.id} belongs to subscription ${payment.providerSubscriptionId} at PayPal, not ${named}`;
  }
  const subscriptionId = payment.providerSubscriptionId ?? named;
  if (subscriptionId) {
    const snapshot = await subscriptionSnapshot(deps, subscriptionId);
    if (typeof snapshot === 'string') return snapshot;
    if (payment.providerCustomerId && payment.providerCustomerId !== snapshot.providerCustomerId) {
      return `payment ${payment.id} was made by another payer than subscription ${subscriptionId}'s`;
    }
    return { ...snapshot, payment: { ...payment, providerSubscriptionId: subscriptionId } };
  }
  const payer = payment.providerCustomerId ?? (await payerOfRecordedPayment(deps, payment));
  if (!payer) return `payment ${payment.id} has no payer recur knows (a payment outside recur's checkouts)`;
  return { ...(await customerPart(deps, payer, null)), payment };
}

/**
 * The payment with the refund a refund event names, read back: PayPal's read of a sale or capture
 * says it is partly refunded, not by how much, and its refunds are not listed; the refund states
 * the payment's total refunded up to it (`total_refunded_amount`). So each refund's event records
 * that total, and its second delivery the same total again (nothing changes); the payment's stored
 * amount only grows, so refunds read in any order end at their sum. A refund not completed (yet)
 * adds nothing.
 */
async function withRefund(deps: EventHandlerDeps, event: PaypalEventEnvelope, payment: ProviderPayment): Promise<ProviderPayment | string> {
  const refundId = refundIdOf(event);
  if (!refundId) return payment;
  const refund = await deps.gateway.retrieveRefund(refundId);
  if (!refund) return unknownAtPaypal('refund', refundId);
  if (refund.paymentId && refund.paymentId !== payment.id) return `refund ${refundId} refunds ${refund.paymentId} at PayPal, not ${payment.id}`;
  if (!refund.completed) return payment;
  const toDate = refund.refundedToDateMinor ?? refund.amountMinor;
  return { ...payment, amountRefundedMinor: Math.min(payment.amountMinor, Math.max(payment.amountRefundedMinor, toDate)) };
}

const syncSubscription: PaypalEventHandler = async (event, deps) => {
  const id = subscriptionIdOf(event);
  if (!id) return 'the event names no subscription';
  return subscriptionSnapshot(deps, id);
};

// A sale is a subscription's payment; its `billing_agreement_id` names the subscription (a refund
// resource names the sale by `sale_id`, and its refunded amount comes from the refund, read back).
const syncSale: PaypalEventHandler = async (event, deps) => {
  const saleId = saleIdOf(event);
  if (!saleId) return 'the event names no sale';
  const sale = await deps.gateway.retrievePayment(saleId);
  if (!sale) return unknownAtPaypal('sale', saleId);
  const payment = await withRefund(deps, event, sale);
  return typeof payment === 'string' ? payment : paymentSnapshot(deps, payment, subscriptionIdOf(event));
};

/**
 * A captured order of recur's (prepaid time): the payment with the order's payer, recur's customer
 * (`custom_id`) and what it bought, so the purchase is recorded once whoever comes first (ADR 0026).
 */
function orderSnapshot(session: ProviderCheckoutSession, payment: ProviderPayment): ProviderSnapshot | string {
  if (!session.providerCustomerId) return `order ${session.id} has no payer yet (not approved)`;
  return {
    ...emptySnapshot(session.providerCustomerId),
    metadataCustomerId: session.clientReferenceId,
    payment: { ...payment, providerCustomerId: session.providerCustomerId },
    prepaid: session.prepaid,
    checkoutSession: { id: session.id, status: session.status },
  };
}

// An order's capture (a one-time payment); a refund resource names its capture by its `up` link.
// A capture of recur's own order (prepaid time) is read with its order.
const syncCapture: PaypalEventHandler = async (event, deps) => {
  const captureId = captureIdOf(event);
  if (!captureId) return 'the event names no capture';
  const capture = await deps.gateway.retrievePayment(captureId);
  if (!capture) return unknownAtPaypal('capture', captureId);
  const payment = await withRefund(deps, event, capture);
  if (typeof payment === 'string') return payment;
  const order = payment.checkoutSessionId ? await deps.gateway.retrieveCheckoutSession(payment.checkoutSessionId) : null;
  if (order?.purchase === 'one_time' && order.prepaid) return orderSnapshot(order, payment);
  return paymentSnapshot(deps, payment, null);
};

/**
 * The buyer approved an order: PayPal leaves the capture to the merchant. A buyer who closes the
 * tab after approving has decided to pay and must still get the time, so recur captures here too,
 * with the same PayPal-Request-Id as the return (one capture whoever is first). Only an order recur
 * opened and still holds open or complete: one it expired for a newer checkout is never captured.
 */
const captureApprovedOrder: PaypalEventHandler = async (event, deps) => {
  const id = orderIdOf(event);
  if (!id) return 'the event names no order';
  const opened = await findCheckoutSession(deps.db, 'paypal', id);
  if (!opened) return `order ${id} is not a checkout recur opened`;
  if (opened.status === 'expired') return `order ${id} was superseded by a newer checkout: recur does not capture it`;
  const order = await deps.gateway.retrieveCheckoutSession(id);
  if (!order) return unknownAtPaypal('order', id);
  if (order.clientReferenceId !== opened.customerId) return `order ${id} names another recur customer than the checkout recur opened`;
  let captured = order;
  if (order.awaitingCapture) {
    const capture = await deps.gateway.captureCheckoutSession(id);
    if (capture.kind !== 'captured') return capture.kind === 'declined' ? capture.reason : `order ${id} is not approved at PayPal`;
    captured = capture.session;
  }
  if (!captured.firstPayment || !captured.prepaid) return `order ${id} has no capture recur can record`;
  return orderSnapshot(captured, captured.firstPayment);
};

const disputeNote = (action: string, dispute: ProviderDispute): ProviderSnapshot['note'] => ({
  action,
  detail: { dispute: dispute.id, status: dispute.status, reason: dispute.reason, amountMinor: dispute.amountMinor, currency: dispute.currency, outcome: dispute.outcome ?? null },
});

/**
 * The dispute read back (its status moves on after the event: a policy may already have accepted
 * it) with the payment it disputes. The payment's customer comes from PayPal's read of it or, for a
 * sale PayPal's read names no payer for, from the payment recur recorded; when recur has not
 * recorded it yet (the sale's event still on its way), the event is tried again later rather than
 * lost, as a dispute must reach the policy once.
 */
const syncDispute = (action: string): PaypalEventHandler => async (event, deps) => {
  const id = disputeIdOf(event);
  if (!id) return 'the event names no dispute';
  const dispute = await deps.gateway.retrieveDispute(id);
  if (!dispute) return unknownAtPaypal('dispute', id);
  const paymentId = dispute.paymentIntentId ?? dispute.chargeId;
  if (!paymentId) return `dispute ${id} names no transaction at PayPal`;
  const payment = await deps.gateway.retrievePayment(paymentId);
  if (!payment) return unknownAtPaypal(`payment ${paymentId} of dispute`, id);
  const snapshot = await paymentSnapshot(deps, payment, null);
  if (typeof snapshot === 'string') {
    throw new RecurError('conflict', `dispute ${id}: ${snapshot}; tried again once the payment is recorded`);
  }
  // PayPal's read of a sale or capture does not say it is disputed (Stripe's charge does): the
  // dispute PayPal holds against it does, and recur's payment turns `disputed` as for Stripe.
  const disputed = snapshot.payment ? { ...snapshot.payment, status: 'disputed' as const } : null;
  return { ...snapshot, payment: disputed, dispute, note: disputeNote(action, dispute) };
};


/** Event type -> handler (a Map: a type like "constructor" must not hit a prototype). Unlisted types are ignored. */
export const paypalEventHandlers: ReadonlyMap<string, PaypalEventHandler> = new Map(
  Object.entries({
    'BILLING.SUBSCRIPTION.CREATED': syncSubscription,
    'BILLING.SUBSCRIPTION.ACTIVATED': syncSubscription,
    'BILLING.SUBSCRIPTION.UPDATED': syncSubscription,
    'BILLING.SUBSCRIPTION.CANCELLED': syncSubscription,
    'BILLING.SUBSCRIPTION.SUSPENDED': syncSubscription,
    'BILLING.SUBSCRIPTION.EXPIRED': syncSubscription,
    'BILLING.SUBSCRIPTION.PAYMENT.FAILED': syncSubscription,
    'PAYMENT.SALE.COMPLETED': syncSale,
    'PAYMENT.SALE.REFUNDED': syncSale,
    'PAYMENT.SALE.REVERSED': syncSale,
    'PAYMENT.CAPTURE.COMPLETED': syncCapture,
    'PAYMENT.CAPTURE.DENIED': syncCapture,
    'PAYMENT.CAPTURE.REFUNDED': syncCapture,
    'PAYMENT.CAPTURE.REVERSED': syncCapture,
    'CUSTOMER.DISPUTE.CREATED': syncDispute('dispute_opened'),
    'CUSTOMER.DISPUTE.UPDATED': syncDispute('dispute_updated'),
    'CUSTOMER.DISPUTE.RESOLVED': syncDispute('dispute_closed'),
    'CHECKOUT.ORDER.APPROVED': captureApprovedOrder,
  } satisfies Record<string, PaypalEventHandler>),
);
