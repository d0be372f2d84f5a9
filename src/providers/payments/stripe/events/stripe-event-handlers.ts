import type Stripe from 'stripe';
import type { Queryable } from '../../../../db/database.ts';
import { findCustomerIdByProviderCustomer } from '../../../../db/repositories/provider-customer-repository.ts';
import type { StripeGateway } from '../stripe-gateway.ts';
import { toProviderSubscription } from '../stripe-mappers.ts';
import { toProviderDispute } from '../stripe-risk-gateway.ts';
import { idField, metadataField, type StripeEventEnvelope } from './stripe-event-envelope.ts';
import { emptySnapshot, type StripeSnapshot } from './stripe-snapshot.ts';

export type HandlerDeps = { gateway: StripeGateway; db: Queryable };

/** A handler reads what it needs from Stripe; a string is the reason the event is ignored. */
export type StripeEventHandler = (event: StripeEventEnvelope, deps: HandlerDeps) => Promise<StripeSnapshot | string>;

/** Stripe's customer is read only when recur has no link to it yet (for an unknown customer). */
async function snapshotFor(deps: HandlerDeps, providerCustomerId: string, metadataCustomerId: string | null): Promise<StripeSnapshot> {
  const snapshot = { ...emptySnapshot(providerCustomerId), metadataCustomerId };
  const linked = await findCustomerIdByProviderCustomer(deps.db, 'stripe', providerCustomerId);
  if (!linked) snapshot.customerDetails = await deps.gateway.retrieveCustomer(providerCustomerId);
  return snapshot;
}

const syncSubscription: StripeEventHandler = async (event, deps) => {
  const object = event.data.object;
  const id = idField(object, 'id');
  if (!id) return 'the event carries no subscription id';
  // The payload may be older than other events already applied; Stripe's current object is not.
  // A subscription Stripe no longer returns falls back to the payload.
  const subscription = (await deps.gateway.retrieveSubscription(id)) ?? toProviderSubscription(object as unknown as Stripe.Subscription);
  const snapshot = await snapshotFor(deps, subscription.providerCustomerId, subscription.metadata['recur_customer_id'] ?? null);
  return { ...snapshot, subscription };
};

const syncInvoice: StripeEventHandler = async (event, deps) => {
  const object = event.data.object;
  const customer = idField(object, 'customer');
  if (!customer) return 'the invoice has no customer';
  const parent = object['parent'] as { subscription_details?: { subscription?: string | null } | null } | null | undefined;
  let subscriptionId = parent?.subscription_details?.subscription ?? idField(object, 'subscription');
  const invoiceId = idField(object, 'id');
  // invoice.upcoming describes a preview without an id: only the subscription is worth re-reading.
  const invoice = invoiceId ? await deps.gateway.retrieveInvoicePayment(invoiceId) : null;
  subscriptionId = invoice?.subscriptionId ?? subscriptionId;
  const subscription = subscriptionId ? await deps.gateway.retrieveSubscription(subscriptionId) : null;
  if (!subscription && !invoice?.payment) return 'the invoice belongs to no subscription and has no payment';
  const snapshot = await snapshotFor(deps, customer, subscription?.metadata['recur_customer_id'] ?? null);
  return { ...snapshot, subscription, payment: invoice?.payment ?? null };
};

const syncPaymentIntent = (field: 'id' | 'payment_intent', note?: (event: StripeEventEnvelope) => StripeSnapshot['note']): StripeEventHandler =>
  async (event, deps) => {
    const object = event.data.object;
    const intentId = idField(object, field);
    if (!intentId) return 'no PaymentIntent behind this object (recur keys payments by PaymentIntent)';
    const payment = await deps.gateway.retrievePayment(intentId);
    if (!payment) return `PaymentIntent ${intentId} does not exist at Stripe`;
    const customer = idField(object, 'customer') ?? payment.providerCustomerId;
    if (!customer) return 'a payment without a Stripe customer is not one of recur\'s';
    return { ...(await snapshotFor(deps, customer, metadataField(object, 'recur_customer_id'))), payment, note: note?.(event) ?? null };
  };

const disputeNote = (action: string) => (event: StripeEventEnvelope): StripeSnapshot['note'] => {
  const dispute = event.data.object;
  return { action, detail: { dispute: dispute['id'], status: dispute['status'], reason: dispute['reason'], amountMinor: dispute['amount'], currency: String(dispute['currency'] ?? '').toUpperCase() } };
};

// The dispute's payment turns `disputed`, and the dispute itself is re-read (its status moves on
// after the event: a policy may already have closed it); the payload is the fallback.
const syncDispute = (action: string): StripeEventHandler => {
  const syncPayment = syncPaymentIntent('payment_intent', disputeNote(action));
  return async (event, deps) => {
    const snapshot = await syncPayment(event, deps);
    if (typeof snapshot === 'string') return snapshot;
    const id = idField(event.data.object, 'id');
    const dispute = (id ? await deps.gateway.retrieveDispute(id) : null) ?? toProviderDispute(event.data.object as unknown as Stripe.Dispute);
    return { ...snapshot, dispute };
  };
};

// The failure code is fixed once a charge failed, so the payload's is as good as a re-read one.
const syncFailedCharge: StripeEventHandler = async (event, deps) => {
  const snapshot = await syncPaymentIntent('payment_intent')(event, deps);
  if (typeof snapshot === 'string') return snapshot;
  const object = event.data.object;
  const id = idField(object, 'id');
  const failureCode = typeof object['failure_code'] === 'string' ? object['failure_code'] : null;
  return { ...snapshot, failedCharge: id ? { id, failureCode } : null };
};

const syncCheckoutSession: StripeEventHandler = async (event, deps) => {
  const id = idField(event.data.object, 'id');
  if (!id) return 'the event carries no session id';
  const session = await deps.gateway.retrieveCheckoutSession(id);
  if (!session) return `checkout session ${id} does not exist at Stripe`;
  if (!session.providerCustomerId) return 'a checkout session without a customer (not a subscription checkout)';
  const snapshot = await snapshotFor(deps, session.providerCustomerId, session.metadata['recur_customer_id'] ?? session.clientReferenceId);
  return { ...snapshot, subscription: session.subscription, payment: session.firstPayment, checkoutSession: { id: session.id, status: session.status } };
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
  'invoice.upcoming': syncInvoice,
  'invoice.finalized': syncInvoice,
  'charge.succeeded': syncPaymentIntent('payment_intent'),
  'charge.failed': syncFailedCharge,
  'charge.refunded': syncPaymentIntent('payment_intent'),
  'charge.dispute.created': syncDispute('dispute_opened'),
  'charge.dispute.closed': syncDispute('dispute_closed'),
  'checkout.session.completed': syncCheckoutSession,
  'checkout.session.async_payment_succeeded': syncCheckoutSession,
  'checkout.session.async_payment_failed': syncCheckoutSession,
  'checkout.session.expired': syncCheckoutSession,
  'payment_intent.succeeded': syncPaymentIntent('id'),
  'payment_intent.payment_failed': syncPaymentIntent('id'),
  } satisfies Record<string, StripeEventHandler>),
);
