import type { ProviderDispute } from '../../risk-operations.ts';
import type { EventHandlerDeps, ProviderEventHandler } from '../../provider-event-dialect.ts';
import { idField, type StripeEventEnvelope } from './stripe-event-envelope.ts';
import { emptySnapshot, type ProviderSnapshot } from '../../provider-snapshot.ts';

export type HandlerDeps = EventHandlerDeps;

/**
 * A handler reads what it needs from Stripe; a string is the reason the event is ignored.
 *
 * The payload only names what to read: every fact applied (status, dates, amounts, the customer
 * it belongs to, the recur id in metadata) comes from Stripe's answer to that read. A signed event
 * about an object Stripe does not have is ignored with that reason and never applied: its body is
 * not Stripe's word, only the sender's.
 */
export type StripeEventHandler = ProviderEventHandler<StripeEventEnvelope & { datedAt: Date }>;

const unknownAtStripe = (what: string, id: string) => `${what} ${id} does not exist at Stripe (the event is not applied)`;

/**
 * The snapshot's customer part. Stripe's customer is read only when recur has no link to it yet;
 * its metadata then says which recur customer it was made for, when the object read did not.
 */
async function snapshotFor(deps: HandlerDeps, providerCustomerId: string, metadataCustomerId: string | null): Promise<ProviderSnapshot> {
  const snapshot = { ...emptySnapshot(providerCustomerId), metadataCustomerId };
  const linked = await deps.linkedCustomer('stripe', providerCustomerId);
  if (linked) return { ...snapshot, linkedCustomerId: linked };
  const customer = await deps.gateway.retrieveCustomer(providerCustomerId);
  return { ...snapshot, metadataCustomerId: metadataCustomerId ?? customer?.recurCustomerId ?? null, customerDetails: customer ? { email: customer.email, name: customer.name } : null };
}

const syncSubscription: StripeEventHandler = async (event, deps) => {
  const id = idField(event.data.object, 'id');
  if (!id) return 'the event carries no subscription id';
  // Stripe's current object, never the payload: the payload may be older than events already applied.
  const subscription = await deps.gateway.retrieveSubscription(id);
  if (!subscription) return unknownAtStripe('subscription', id);
  if (!subscription.providerCustomerId) return 'the subscription has no customer yet';
  const snapshot = await snapshotFor(deps, subscription.providerCustomerId, subscription.metadata['recur_customer_id'] ?? null);
  return { ...snapshot, subscription };
};

const syncInvoice: StripeEventHandler = async (event, deps) => {
  const object = event.data.object;
  const invoiceId = idField(object, 'id');
  if (!invoiceId) return 'the event carries no invoice id';
  const invoice = await deps.gateway.retrieveInvoicePayment(invoiceId);
  if (!invoice) return unknownAtStripe('invoice', invoiceId);
  if (!invoice.providerCustomerId) return 'the invoice has no customer';
  // Expanded in the invoice's own read; read apart only if Stripe did not expand it.
  const subscription = invoice.subscription ?? (invoice.subscriptionId ? await deps.gateway.retrieveSubscription(invoice.subscriptionId) : null);
  if (!subscription && !invoice.payment) return 'the invoice belongs to no subscription and has no payment';
  const snapshot = await snapshotFor(deps, invoice.providerCustomerId, subscription?.metadata['recur_customer_id'] ?? null);
  return { ...snapshot, subscription, payment: invoice.payment, paymentAction: invoice.authenticationUrl ? { url: invoice.authenticationUrl } : null };
};

// invoice.upcoming describes a preview Stripe does not store (no id, or one that cannot be
// read): only its subscription can be read back.
const syncUpcomingInvoice: StripeEventHandler = async (event, deps) => {
  const object = event.data.object;
  const parent = object['parent'] as { subscription_details?: { subscription?: unknown } | null } | null | undefined;
  const named = parent?.subscription_details?.subscription;
  const subscriptionId = typeof named === 'string' && named.length > 0 ? named : idField(object, 'subscription');
  if (!subscriptionId) return 'an invoice without an id that names no subscription';
  const subscription = await deps.gateway.retrieveSubscription(subscriptionId);
  if (!subscription) return unknownAtStripe('subscription', subscriptionId);
  if (!subscription.providerCustomerId) return 'the subscription has no customer yet';
  return { ...(await snapshotFor(deps, subscription.providerCustomerId, subscription.metadata['recur_customer_id'] ?? null)), subscription };
};

/** One PaymentIntent as Stripe holds it, under the customer Stripe says it belongs to. */
async function paymentSnapshot(deps: HandlerDeps, intentId: string): Promise<ProviderSnapshot | string> {
  const payment = await deps.gateway.retrievePayment(intentId);
  if (!payment) return unknownAtStripe('PaymentIntent', intentId);
  if (!payment.providerCustomerId) return 'a payment without a Stripe customer is not one of recur\'s';
  return { ...(await snapshotFor(deps, payment.providerCustomerId, null)), payment };
}

const syncPaymentIntent: StripeEventHandler = async (event, deps) => {
  const intentId = idField(event.data.object, 'id');
  if (!intentId) return 'the event carries no PaymentIntent id';
  return paymentSnapshot(deps, intentId);
};

// The charge is read back first: its PaymentIntent and, for a failed one, its failure code (the
// fraud review counts declines) are Stripe's, not the payload's.
const syncCharge: StripeEventHandler = async (event, deps) => {
  const chargeId = idField(event.data.object, 'id');
  if (!chargeId) return 'the event carries no charge id';
  const charge = await deps.gateway.retrieveCharge(chargeId);
  if (!charge) return unknownAtStripe('charge', chargeId);
  if (!charge.paymentIntentId) return 'no PaymentIntent behind this charge (recur keys payments by PaymentIntent)';
  const snapshot = await paymentSnapshot(deps, charge.paymentIntentId);
  if (typeof snapshot === 'string') return snapshot;
  return charge.status === 'failed' ? { ...snapshot, failedCharge: { id: charge.id, failureCode: charge.failureCode } } : snapshot;
};

// A refund's events (refund.*, charge.refund.updated): the refund read back, then its payment.
const syncRefund: StripeEventHandler = async (event, deps) => {
  const id = idField(event.data.object, 'id');
  if (!id) return 'the event carries no refund id';
  const refund = await deps.gateway.retrieveRefund(id);
  if (!refund) return unknownAtStripe('refund', id);
  if (!refund.paymentId) return 'no PaymentIntent behind this refund (recur keys payments by PaymentIntent)';
  const snapshot = await paymentSnapshot(deps, refund.paymentId);
  if (typeof snapshot === 'string') return snapshot;
  return { ...snapshot, refunds: [refund] };
};

// A refunded charge: its refunds are listed (one may have been made at Stripe), then its payment read.
const syncRefundedCharge: StripeEventHandler = async (event, deps) => {
  const chargeId = idField(event.data.object, 'id');
  if (!chargeId) return 'the event carries no charge id';
  const charge = await deps.gateway.retrieveCharge(chargeId);
  if (!charge) return unknownAtStripe('charge', chargeId);
  if (!charge.paymentIntentId) return 'no PaymentIntent behind this charge (recur keys payments by PaymentIntent)';
  const refunds = await deps.gateway.listChargeRefunds(chargeId);
  const snapshot = await paymentSnapshot(deps, charge.paymentIntentId);
  if (typeof snapshot === 'string') return snapshot;
  return { ...snapshot, refunds: refunds.filter((refund) => refund.paymentId === charge.paymentIntentId) };
};

const disputeNote = (action: string, dispute: ProviderDispute): ProviderSnapshot['note'] => ({
  action,
  detail: { dispute: dispute.id, status: dispute.status, reason: dispute.reason, amountMinor: dispute.amountMinor, currency: dispute.currency },
});

// The dispute is read back (its status moves on after the event: a policy may already have closed
// it), and its payment turns `disputed`.
const syncDispute = (action: string): StripeEventHandler => async (event, deps) => {
  const id = idField(event.data.object, 'id');
  if (!id) return 'the event carries no dispute id';
  const dispute = await deps.gateway.retrieveDispute(id);
  if (!dispute) return unknownAtStripe('dispute', id);
  if (!dispute.paymentIntentId) return 'no PaymentIntent behind this dispute (recur keys payments by PaymentIntent)';
  const snapshot = await paymentSnapshot(deps, dispute.paymentIntentId);
  if (typeof snapshot === 'string') return snapshot;
  return { ...snapshot, dispute, note: disputeNote(action, dispute) };
};

const syncCheckoutSession: StripeEventHandler = async (event, deps) => {
  const id = idField(event.data.object, 'id');
  if (!id) return 'the event carries no session id';
  const session = await deps.gateway.retrieveCheckoutSession(id);
  if (!session) return unknownAtStripe('checkout session', id);
  if (!session.providerCustomerId) return 'a checkout session without a customer (not a subscription checkout)';
  const snapshot = await snapshotFor(deps, session.providerCustomerId, session.metadata['recur_customer_id'] ?? session.clientReferenceId);
  return { ...snapshot, subscription: session.subscription, payment: session.firstPayment, checkoutSession: { id: session.id, status: session.status }, prepaid: session.prepaid, mandateReference: session.mandateReference ?? null };
};

/** Event type -> handler (a Map: a type like "constructor" must not hit a prototype). Unlisted types are ignored. */
export const stripeEventHandlers: ReadonlyMap<string, StripeEventHandler> = new Map(
  Object.entries({
  'customer.subscription.created': syncSubscription,
  'customer.subscription.updated': syncSubscription,
  'customer.subscription.deleted': syncSubscription,
  'customer.subscription.paused': syncSubscription,
  'customer.subscription.resumed': syncSubscription,
  'customer.subscription.trial_will_end': syncSubscription,
  'invoice.paid': syncInvoice,
  'invoice.payment_failed': syncInvoice,
  'invoice.payment_action_required': syncInvoice,
  'invoice.upcoming': syncUpcomingInvoice,
  'invoice.finalized': syncInvoice,
  'charge.succeeded': syncCharge,
  'charge.failed': syncCharge,
  'charge.refunded': syncRefundedCharge,
  'charge.refund.updated': syncRefund,
  'refund.created': syncRefund,
  'refund.updated': syncRefund,
  'refund.failed': syncRefund,
  'charge.dispute.created': syncDispute('dispute_opened'),
  'charge.dispute.closed': syncDispute('dispute_closed'),
  'checkout.session.completed': syncCheckoutSession,
  'checkout.session.async_payment_succeeded': syncCheckoutSession,
  'checkout.session.async_payment_failed': syncCheckoutSession,
  'checkout.session.expired': syncCheckoutSession,
  // A debit taken and not yet answered by the bank (SEPA: days): the payment shows processing.
  'payment_intent.processing': syncPaymentIntent,
  'payment_intent.succeeded': syncPaymentIntent,
  'payment_intent.payment_failed': syncPaymentIntent,
  } satisfies Record<string, StripeEventHandler>),
);
