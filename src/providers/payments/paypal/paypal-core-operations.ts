import { ApplicationContextUserAction, ExperienceContextShippingPreference, type Subscription } from '@paypal/paypal-server-sdk';
import { planIdOfLookupKey } from '../../../domain/plan.ts';
import { RecurError } from '../../../shared/errors.ts';
import type { CoreOperations } from '../core-operations.ts';
import type { OpenCheckoutSession, ProviderCheckoutSession, ProviderPayment } from '../provider-objects.ts';
import type { PaypalClient } from './create-paypal-client.ts';
import { derivePaypalRequestId } from './derive-paypal-request-id.ts';
import { toPaypalProviderPaymentFromCapture, toPaypalProviderPaymentFromTransaction } from './map-paypal-payments.ts';
import { toPaypalProviderPrice } from './map-paypal-plan.ts';
import { listAllRecurSubscriptions } from './paypal-subscription-list.ts';
import { findPlanByLookupKey, PAYPAL_PRODUCT_ID, planRequest, planWithoutTrial } from './paypal-plan-catalogue.ts';
import type { PaypalSubscriptionReads } from './paypal-subscription-reads.ts';
import { createPaypalOrderCheckout, isPaypalSubscriptionId } from './paypal-order-checkout.ts';

export type PaypalGatewayOptions = {
  /** Shown on PayPal's approval page as the merchant (`application_context.brand_name`): the shop's name. */
  brandName: string | null;
};

/** The placeholder Stripe fills with the session id; PayPal appends `subscription_id` to the return URL itself. */
const SESSION_ID_PLACEHOLDER = '{CHECKOUT_SESSION_ID}';
const PAYPAL_LOCALES: Readonly<Record<string, string>> = { nl: 'nl-NL', en: 'en-US' };
const BRAND_NAME_MAX = 127;

const linkOf = (raw: Subscription, rel: string): string | null => raw.links?.find((link) => link.rel === rel)?.href ?? null;
const dateOf = (text: string | undefined): Date => new Date(text ? Date.parse(text) || 0 : 0);

function returnUrlFor(successUrl: string): string {
  const url = new URL(successUrl);
  for (const [name, value] of [...url.searchParams]) if (value === SESSION_ID_PLACEHOLDER) url.searchParams.delete(name);
  return url.toString();
}

/** An approval-pending subscription is an open checkout; one cancelled before anyone approved it, an expired one. */
function checkoutStatusOf(raw: Subscription): ProviderCheckoutSession['status'] {
  const status = String(raw.status ?? '');
  if (status === 'APPROVAL_PENDING') return 'open';
  if ((status === 'CANCELLED' || status === 'EXPIRED') && !raw.subscriber?.payerId) return 'expired';
  return 'complete';
}

/**
 * Catalogue, checkout and the reads of PayPal in recur's terms. PayPal has no customer object and
 * no checkout session: a checkout is a subscription awaiting approval (docs/adr/0025).
 */
export function createPaypalCoreOperations(client: PaypalClient, reads: PaypalSubscriptionReads, options: PaypalGatewayOptions): CoreOperations {
  const { sdk, rest } = client;
  const orders = createPaypalOrderCheckout(sdk, options.brandName);

  /** The approval-pending subscriptions of recur's plans, newest first. */
  const listApprovalPending = async (): Promise<Subscription[]> =>
    (await listAllRecurSubscriptions(sdk, ['APPROVAL_PENDING'])).sort((a, b) => dateOf(b.createTime).getTime() - dateOf(a.createTime).getTime());

  async function firstPaymentOf(raw: Subscription, payerId: string | null): Promise<ProviderPayment | null> {
    if (checkoutStatusOf(raw) !== 'complete' || !raw.id) return null;
    const paid = (await reads.transactions(raw)).find((transaction) => String(transaction.status ?? '') === 'COMPLETED');
    return paid ? toPaypalProviderPaymentFromTransaction(paid, raw.id, payerId) : null;
  }

  return {
    async findPriceByLookupKey(lookupKey) {
      const plan = await findPlanByLookupKey(sdk, lookupKey, 'trial');
      return plan ? toPaypalProviderPrice(plan, lookupKey) : null;
    },

    async findOrCreateProduct(planId, name) {
      // One product for the whole catalogue (paypal-plan-catalogue.ts), found by its id.
      if (await rest.getProduct(PAYPAL_PRODUCT_ID)) return { id: PAYPAL_PRODUCT_ID, created: false };
      const created = await rest.createProduct({ id: PAYPAL_PRODUCT_ID, name: options.brandName ?? name, type: 'SERVICE' }, derivePaypalRequestId(['plans-sync', 'product', PAYPAL_PRODUCT_ID]));
      return { id: created.id, created: true };
    },

    async createPrice({ lookupKey, amountMinor, currency, interval, trialDays, idempotencyKey }) {
      const name = planIdOfLookupKey(lookupKey) ?? lookupKey;
      const create = (variant: 'trial' | 'no-trial') =>
        sdk.createPlan(planRequest({ name, lookupKey, variant, amountMinor, currency, interval, trialDays }), derivePaypalRequestId(['plans-sync', variant, idempotencyKey, String(trialDays)]));
      const sold = await create('trial');
      // A returning customer gets no second trial: the same price without the trial cycle beside it.
      if (trialDays > 0) await create('no-trial');
      const price = toPaypalProviderPrice(sold, lookupKey);
      if (!price) throw new TypeError(`PayPal answered plan ${sold.id ?? '(no id)'} without a regular price`);
      return price;
    },

    createCustomer() {
      // Declared (capabilities.customerObject false): checkout never asks for one.
      return Promise.reject(new RecurError('not_supported_by_provider', 'PayPal keeps no customer before the checkout: the payer is linked when the buyer comes back'));
    },

    async createCheckoutSession(session) {
      const { purchase } = session;
      // Prepaid time: an order the buyer approves and recur captures (PayPal appends `token`, the order id).
      if (purchase.kind === 'one_time') return orders.createOrder(session, returnUrlFor(session.successUrl));
      // The trial is the plan's own cycle: a customer who gets none subscribes to the twin without it.
      const planId = purchase.trialDays > 0 ? purchase.priceId : await planWithoutTrial(sdk, purchase.priceId);
      const brandName = options.brandName?.slice(0, BRAND_NAME_MAX);
      const created = await sdk.createSubscription(
        {
          planId,
          customId: session.recurCustomerId,
          applicationContext: {
            ...(brandName ? { brandName } : {}),
            locale: PAYPAL_LOCALES[session.locale] ?? 'en-US',
            shippingPreference: ExperienceContextShippingPreference.NoShipping,
            userAction: ApplicationContextUserAction.SubscribeNow,
            returnUrl: returnUrlFor(session.successUrl),
            cancelUrl: session.cancelUrl,
          },
        },
        derivePaypalRequestId(['checkout', session.idempotencyKey]),
      );
      const url = linkOf(created, 'approve');
      if (!created.id || !url) throw new TypeError('PayPal answered a new subscription without an id or approve link');
      return { id: created.id, url };
    },

    async listOpenCheckoutSessions({ recurCustomerId, openSessionIds = [] }) {
      const open: OpenCheckoutSession[] = await orders.listOpenOrders(openSessionIds, recurCustomerId);
      for (const raw of await listApprovalPending()) {
        if (!raw.id || raw.customId !== recurCustomerId) continue;
        const subscription = await reads.toNeutral(raw, { withPastDueSince: false });
        open.push({ id: raw.id, created: dateOf(raw.createTime), url: linkOf(raw, 'approve'), recurCustomerId: raw.customId ?? null, planId: planIdOfLookupKey(subscription.priceLookupKey), purchase: 'subscription' });
      }
      return open.sort((a, b) => b.created.getTime() - a.created.getTime());
    },

    async expireCheckoutSession(id) {
      if (!isPaypalSubscriptionId(id)) return orders.expireOrder(id);
      const raw = await sdk.getSubscription(id);
      if (!raw) return 'expired';
      const status = checkoutStatusOf(raw);
      if (status !== 'open') return status;
      // PayPal has no conditional cancel: an approval in the instant between this read and the
      // cancel would be cancelled too (docs/adr/0025); the read narrows that to a moment.
      await sdk.cancelSubscription(id, 'Checkout superseded by a newer one', derivePaypalRequestId(['expire-checkout', id]));
      return 'expired';
    },

    async retrieveCheckoutSession(id) {
      if (!isPaypalSubscriptionId(id)) return orders.readOrder(id);
      const read = await reads.read(id);
      if (!read) return null;
      const { raw, subscription } = read;
      const firstPayment = await firstPaymentOf(raw, subscription.providerCustomerId);
      const status = checkoutStatusOf(raw);
      const insideTrial = subscription.status === 'ACTIVE:TRIAL' || subscription.status === 'ACTIVE:BEFORE_START';
      return {
        id,
        created: dateOf(raw.createTime),
        status,
        paymentStatus: firstPayment?.status === 'succeeded' ? 'paid' : insideTrial ? 'no_payment_required' : 'unpaid',
        providerCustomerId: subscription.providerCustomerId,
        clientReferenceId: subscription.customId,
        metadata: { ...subscription.metadata, ...(planIdOfLookupKey(subscription.priceLookupKey) ? { recur_plan_id: planIdOfLookupKey(subscription.priceLookupKey)! } : {}) },
        subscription: status === 'complete' ? subscription : null,
        firstPayment,
        purchase: 'subscription',
        prepaid: null,
      };
    },

    async captureCheckoutSession(id) {
      if (isPaypalSubscriptionId(id)) throw new TypeError(`subscription ${id} is charged by PayPal itself: there is nothing to capture`);
      return orders.captureOrder(id);
    },

    retrieveSubscription: async (id) => (await reads.read(id))?.subscription ?? null,

    async retrievePayment(id) {
      // A capture of an order, or a subscription's sale (PayPal reads both as a v2 capture).
      const capture = await sdk.getCapture(id);
      return capture ? toPaypalProviderPaymentFromCapture(capture) : null;
    },

    // PayPal bills subscriptions without invoices: no invoice id is PayPal's.
    retrieveInvoicePayment: () => Promise.resolve(null),

    // PayPal has no customer API: a payer id cannot be read back (the subscription's custom_id names recur's customer).
    retrieveCustomer: () => Promise.resolve(null),
  };
}
