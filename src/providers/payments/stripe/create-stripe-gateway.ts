import type Stripe from 'stripe';
import { callStripe, retrieveOrNull } from './stripe-errors.ts';
import type { StripeGateway } from './stripe-gateway.ts';
import type { CoreOperations } from '../core-operations.ts';
import type { NewCheckoutSession, NewProviderCustomer, ProviderCheckoutSession } from '../provider-objects.ts';
import { checkoutSessionParams, prepaidOfSession, purchaseOfSession } from './stripe-checkout-params.ts';
import { keepCardThatPays } from './stripe-keep-card-that-pays.ts';
import { createStripeReconciliationGateway } from './stripe-reconciliation-gateway.ts';
import { createStripeRiskGateway } from './stripe-risk-gateway.ts';
import { createStripeRefundOperations } from './stripe-refund-operations.ts';
import { createStripeSubscriptionChangesGateway } from './stripe-subscription-changes-gateway.ts';
import { readFirstFailedCharge, readPastDueSince } from './stripe-past-due-since.ts';
import { mandateOfCharge, paymentIntentOfInvoice, subscriptionOfInvoice, toProviderPayment, toProviderPrice, toProviderSubscription } from './stripe-mappers.ts';
import { mandateOfSetupIntent, readMandateReference, readSubscriptionMandate } from './stripe-mandates.ts';

/** recur's StripeGateway over the official SDK (see create-stripe-client.ts). */
export function createStripeGateway(stripe: Stripe): StripeGateway {
  return {
    ...createCoreOperations(stripe),
    ...createStripeReconciliationGateway(stripe),
    ...createStripeSubscriptionChangesGateway(stripe),
    ...createStripeRiskGateway(stripe),
    ...createStripeRefundOperations(stripe),
  };
}

function createCoreOperations(stripe: Stripe): CoreOperations {
  const retrievePayment = async (id: string, providerSubscriptionId: string | null = null) => {
    const intent = await retrieveOrNull(`reading payment ${id}`, () => stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] }));
    if (!intent) return null;
    const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
    const payment = toProviderPayment(intent, providerSubscriptionId, await readMandateReference(stripe, mandateOfCharge(charge)));
    return payment.status === 'failed' ? { ...payment, failedAt: (await readFirstFailedCharge(stripe, intent.id)) ?? payment.failedAt } : payment;
  };

  const core: CoreOperations = {
    async findPriceByLookupKey(lookupKey) {
      const prices = await callStripe('listing prices', () => stripe.prices.list({ lookup_keys: [lookupKey], limit: 1, expand: ['data.product'] }));
      const price = prices.data[0];
      return price ? toProviderPrice(price) : null;
    },

    async findOrCreateProduct(planId, name) {
      // A product per plan, found again by metadata so a second run creates nothing.
      const products = await callStripe('listing products', () => stripe.products.list({ limit: 100, active: true }));
      const existing = products.data.find((product) => product.metadata['recur_plan_id'] === planId);
      if (existing) return { id: existing.id, created: false };
      const created = await callStripe(`creating the product of plan ${planId}`, () =>
        stripe.products.create({ name, metadata: { recur_plan_id: planId } }, { idempotencyKey: `recur:plans-sync:product:${planId}` }),
      );
      return { id: created.id, created: true };
    },

    async createPrice({ productId, lookupKey, amountMinor, currency, interval, idempotencyKey }) {
      const price = await callStripe(`creating price ${lookupKey}`, () =>
        stripe.prices.create(
          { product: productId, unit_amount: amountMinor, currency: currency.toLowerCase(), recurring: { interval }, lookup_key: lookupKey, transfer_lookup_key: true },
          { idempotencyKey },
        ),
      );
      return toProviderPrice(price);
    },

    async createCustomer(customer: NewProviderCustomer) {
      const created = await callStripe('creating the Stripe customer', () =>
        stripe.customers.create(
          {
            email: customer.email,
            ...(customer.name ? { name: customer.name } : {}),
            preferred_locales: [customer.locale],
            metadata: { recur_customer_id: customer.recurCustomerId, external_id: customer.externalId },
          },
          { idempotencyKey: `recur:customer:${customer.recurCustomerId}` },
        ),
      );
      return { id: created.id };
    },

    async createCheckoutSession(session: NewCheckoutSession) {
      const created = await callStripe('creating the checkout session', () => stripe.checkout.sessions.create(checkoutSessionParams(session), { idempotencyKey: session.idempotencyKey }));
      return { id: created.id, url: created.url! };
    },

    async listOpenCheckoutSessions({ providerCustomerId }) {
      // Stripe keeps a customer for every checkout recur opens.
      if (!providerCustomerId) return [];
      const sessions = await callStripe('listing open checkout sessions', () => stripe.checkout.sessions.list({ customer: providerCustomerId, status: 'open', limit: 100 }));
      return sessions.data.flatMap((session) => {
        const purchase = purchaseOfSession(session);
        return purchase ? [{ id: session.id, created: new Date(session.created * 1000), url: session.url, recurCustomerId: session.metadata?.['recur_customer_id'] ?? null, planId: session.metadata?.['recur_plan_id'] ?? null, purchase }] : [];
      });
    },

    async expireCheckoutSession(id) {
      try {
        await callStripe(`expiring checkout session ${id}`, () => stripe.checkout.sessions.expire(id));
        return 'expired';
      } catch (error) {
        // Stripe refuses to expire a session that is no longer open: it was paid, or expired already.
        const session = await callStripe(`reading checkout session ${id}`, () => stripe.checkout.sessions.retrieve(id));
        if (session.status === 'complete') return 'complete';
        if (session.status === 'expired') return 'expired';
        throw error;
      }
    },

    async retrieveCheckoutSession(id) {
      const session = await retrieveOrNull(`reading checkout session ${id}`, () =>
        stripe.checkout.sessions.retrieve(id, { expand: ['subscription', 'subscription.latest_invoice.payments', 'setup_intent.latest_attempt'] }),
      );
      if (!session) return null;
      const subscription = typeof session.subscription === 'object' && session.subscription ? session.subscription : null;
      const invoice = subscription && typeof subscription.latest_invoice === 'object' ? subscription.latest_invoice : null;
      const prepaid = prepaidOfSession(session);
      // One-time: the session's own PaymentIntent, read back (amount, currency, status are Stripe's).
      const oneTimeIntent = session.mode === 'payment' ? (typeof session.payment_intent === 'string' ? session.payment_intent : (session.payment_intent?.id ?? null)) : null;
      const intentId = invoice ? paymentIntentOfInvoice(invoice) : null;
      const result: ProviderCheckoutSession = {
        id: session.id,
        created: new Date(session.created * 1000),
        purchase: session.mode === 'payment' ? 'one_time' : 'subscription',
        status: session.status === 'complete' ? 'complete' : session.status === 'expired' ? 'expired' : 'open',
        paymentStatus: session.payment_status === 'paid' ? 'paid' : session.payment_status === 'no_payment_required' ? 'no_payment_required' : 'unpaid',
        providerCustomerId: typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? null),
        clientReferenceId: session.client_reference_id,
        metadata: { ...session.metadata },
        subscription: subscription ? toProviderSubscription(subscription) : null,
        firstPayment: oneTimeIntent ? await retrievePayment(oneTimeIntent) : intentId && invoice && invoice.amount_due > 0 ? await retrievePayment(intentId, subscription?.id ?? null) : null,
        prepaid,
        // A trial's checkout takes no payment: the mandate for the debits to come is its SetupIntent's.
        mandateReference: await readMandateReference(stripe, mandateOfSetupIntent(typeof session.setup_intent === 'object' ? session.setup_intent : null)),
      };
      return result;
    },

    keepCardThatPays: (subscriptionId) => keepCardThatPays(stripe, subscriptionId),

    // Checkout collects the payment itself: there is nothing for recur to capture, only the session to read.
    async captureCheckoutSession(id) {
      const session = await core.retrieveCheckoutSession(id);
      if (!session) throw new TypeError(`checkout session ${id} is unknown to Stripe`);
      return session.status === 'complete' ? { kind: 'captured', session } : { kind: 'not_approved' };
    },

    async retrieveSubscription(id) {
      const subscription = await retrieveOrNull(`reading subscription ${id}`, () => stripe.subscriptions.retrieve(id, { expand: ['default_payment_method'] }));
      if (!subscription) return null;
      const mandateReference = await readSubscriptionMandate(stripe, subscription);
      return { ...toProviderSubscription(subscription), pastDueSince: await readPastDueSince(stripe, subscription), ...(mandateReference === undefined ? {} : { mandateReference }) };
    },

    retrievePayment: (id) => retrievePayment(id),

    async retrieveInvoicePayment(invoiceId) {
      // The subscription comes expanded in the same request: an invoice event needs both, and a
      // second read of the subscription would double what the event costs.
      const invoice = await retrieveOrNull(`reading invoice ${invoiceId}`, () =>
        stripe.invoices.retrieve(invoiceId, { expand: ['payments', 'parent.subscription_details.subscription.default_payment_method'] }),
      );
      if (!invoice) return null;
      const intentId = paymentIntentOfInvoice(invoice);
      const subscriptionId = subscriptionOfInvoice(invoice);
      const expanded = invoice.parent?.subscription_details?.subscription;
      const mandateReference = expanded && typeof expanded === 'object' ? await readSubscriptionMandate(stripe, expanded) : undefined;
      const subscription =
        expanded && typeof expanded === 'object'
          ? { ...toProviderSubscription(expanded), pastDueSince: await readPastDueSince(stripe, expanded), ...(mandateReference === undefined ? {} : { mandateReference }) }
          : null;
      const providerCustomerId = typeof invoice.customer === 'string' ? invoice.customer : (invoice.customer?.id ?? null);
      const payment = intentId ? await retrievePayment(intentId, subscriptionId) : null;
      // Stripe's hosted invoice page is where the customer meets the challenge of an open invoice.
      const authenticationUrl = invoice.status === 'open' && payment?.awaitingAuthentication ? (invoice.hosted_invoice_url ?? null) : null;
      return { providerCustomerId, subscriptionId, subscription, payment, authenticationUrl };
    },

    async retrieveCustomer(id) {
      const customer = await retrieveOrNull(`reading customer ${id}`, () => stripe.customers.retrieve(id));
      if (!customer || customer.deleted) return null;
      return { id: customer.id, email: customer.email ?? null, name: customer.name ?? null, recurCustomerId: customer.metadata?.['recur_customer_id'] ?? null };
    },
  };
  return core;
}
