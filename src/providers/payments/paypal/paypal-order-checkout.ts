import { CheckoutPaymentIntent, PaypalExperienceUserAction, PaypalWalletContextShippingPreference, type Order } from '@paypal/paypal-server-sdk';
import type { NewCheckoutSession, OpenCheckoutSession, ProviderCheckoutSession } from '../provider-objects.ts';
import type { CheckoutCapture } from '../core-operations.ts';
import { derivePaypalRequestId } from './derive-paypal-request-id.ts';
import { toPaypalProviderOrder } from './map-paypal-payments.ts';
import { PaypalApiError } from './paypal-api-error.ts';
import { toPaypalValue } from './paypal-money.ts';
import type { PaypalSdkCalls } from './paypal-sdk-calls.ts';

/**
 * A one-time checkout at PayPal is an Orders v2 order (intent CAPTURE) the buyer approves and recur
 * captures (docs/adr/0026). What recur sells is written into the purchase unit: `custom_id` is
 * recur's customer, `reference_id` the plan and the periods (`prepaid:<plan>:<periods>`), read back
 * as the checkout's `prepaid`.
 */
const REFERENCE_PREFIX = 'prepaid';
const DESCRIPTION_MAX = 127;
const BRAND_NAME_MAX = 127;
const PAYPAL_LOCALES: Readonly<Record<string, string>> = { nl: 'nl-NL', en: 'en-US' };
/** A subscription id (`I-…`); every other checkout id recur holds at PayPal is an order's. */
export const isPaypalSubscriptionId = (id: string): boolean => id.startsWith('I-');

const linkOf = (order: Order, rels: readonly string[]): string | null => order.links?.find((link) => rels.includes(link.rel))?.href ?? null;

function prepaidOf(referenceId: string | undefined): { planId: string; periods: number } | null {
  const [prefix, planId, periods] = (referenceId ?? '').split(':');
  const count = Number(periods);
  return prefix === REFERENCE_PREFIX && planId && Number.isInteger(count) && count > 0 ? { planId, periods: count } : null;
}

/**
 * Not yet approved: open. Approved (recur captures it at the return, on its approval event or at
 * the next checkout's check) or captured: complete. Voided: expired.
 */
function statusOf(status: string): ProviderCheckoutSession['status'] {
  if (status === 'CREATED' || status === 'PAYER_ACTION_REQUIRED' || status === 'SAVED') return 'open';
  if (status === 'VOIDED') return 'expired';
  return 'complete';
}

export function toOrderCheckoutSession(order: Order): ProviderCheckoutSession {
  const read = toPaypalProviderOrder(order);
  const unit = order.purchaseUnits?.[0];
  const prepaid = prepaidOf(unit?.referenceId);
  const payment = read.capture;
  return {
    id: read.id,
    created: read.created ?? new Date(0),
    purchase: 'one_time',
    status: statusOf(read.status),
    paymentStatus: payment?.paidAt ? 'paid' : 'unpaid',
    providerCustomerId: read.payerId,
    clientReferenceId: read.customId,
    metadata: { ...(read.customId ? { recur_customer_id: read.customId } : {}), ...(prepaid ? { recur_plan_id: prepaid.planId, recur_periods: String(prepaid.periods) } : {}) },
    subscription: null,
    firstPayment: payment,
    prepaid,
    awaitingCapture: read.status === 'APPROVED',
  };
}

export function createPaypalOrderCheckout(sdk: PaypalSdkCalls, brandName: string | null) {
  const readOrder = async (id: string): Promise<ProviderCheckoutSession | null> => {
    const order = await sdk.getOrder(id);
    return order ? toOrderCheckoutSession(order) : null;
  };

  return {
    readOrder,

    async createOrder(session: NewCheckoutSession, returnUrl: string): Promise<{ id: string; url: string }> {
      const { purchase } = session;
      if (purchase.kind !== 'one_time') throw new TypeError('an order sells a one-time purchase');
      const total = { amountMinor: purchase.unitAmount.amountMinor * purchase.quantity, currency: purchase.unitAmount.currency };
      const brand = brandName?.slice(0, BRAND_NAME_MAX);
      const created = await sdk.createOrder(
        {
          intent: CheckoutPaymentIntent.Capture,
          purchaseUnits: [
            {
              referenceId: `${REFERENCE_PREFIX}:${session.planId}:${purchase.quantity}`,
              customId: session.recurCustomerId,
              description: purchase.description.slice(0, DESCRIPTION_MAX),
              amount: { currencyCode: total.currency, value: toPaypalValue(total) },
            },
          ],
          paymentSource: {
            paypal: {
              experienceContext: {
                ...(brand ? { brandName: brand } : {}),
                locale: PAYPAL_LOCALES[session.locale] ?? 'en-US',
                shippingPreference: PaypalWalletContextShippingPreference.NoShipping,
                userAction: PaypalExperienceUserAction.PayNow,
                returnUrl,
                cancelUrl: session.cancelUrl,
              },
            },
          },
        },
        derivePaypalRequestId(['checkout', session.idempotencyKey]),
      );
      // With payment_source PayPal names the buyer's page `payer-action`; the older form `approve`.
      const url = linkOf(created, ['payer-action', 'approve']);
      if (!created.id || !url) throw new TypeError('PayPal answered a new order without an id or approval link');
      return { id: created.id, url };
    },

    /**
     * PayPal lists no orders: the orders recur holds open for the customer are read one by one.
     * Still open, or approved and not captured yet (the approval is the buyer's payment decision:
     * listed, so the one-open-checkout rule finds it and the next checkout's check captures it).
     */
    async listOpenOrders(ids: readonly string[], recurCustomerId: string): Promise<OpenCheckoutSession[]> {
      const open: OpenCheckoutSession[] = [];
      for (const id of ids) {
        if (isPaypalSubscriptionId(id)) continue;
        const order = await sdk.getOrder(id);
        if (!order?.id) continue;
        const session = toOrderCheckoutSession(order);
        if (session.clientReferenceId !== recurCustomerId || !(session.status === 'open' || session.awaitingCapture)) continue;
        open.push({ id: order.id, created: session.created, url: linkOf(order, ['payer-action', 'approve']), recurCustomerId: session.clientReferenceId, planId: session.prepaid?.planId ?? null, purchase: 'one_time' });
      }
      return open;
    },

    /**
     * PayPal cannot void an order the merchant created; an order that is never captured moves no
     * money and lapses at PayPal. An open order is therefore expired by recur's own word: the
     * checkout row says expired and recur never captures it (completeCheckoutReturn, the approval
     * event). An approved one is the buyer's decision to pay: complete, captured by the caller.
     */
    async expireOrder(id: string): Promise<'expired' | 'complete'> {
      const session = await readOrder(id);
      return session && session.status === 'complete' ? 'complete' : 'expired';
    },

    /**
     * Captures an approved order once: the PayPal-Request-Id is the order's, so the return, its
     * reload, the approval event and the next checkout's check all get PayPal's one answer, and an
     * order captured already (ORDER_ALREADY_CAPTURED) is read back instead.
     */
    async captureOrder(id: string): Promise<CheckoutCapture> {
      try {
        const captured = await sdk.captureOrder(id, derivePaypalRequestId(['capture-order', id]));
        // A representation without the payer (PayPal may omit it) is completed by a read.
        const session = toOrderCheckoutSession(captured.payer?.payerId ? captured : ((await sdk.getOrder(id)) ?? captured));
        return { kind: 'captured', session };
      } catch (error) {
        if (!(error instanceof PaypalApiError)) throw error;
        if (error.issues.includes('ORDER_ALREADY_CAPTURED')) {
          const session = await readOrder(id);
          if (session) return { kind: 'captured', session };
        }
        if (error.issues.includes('INSTRUMENT_DECLINED') || error.issues.includes('PAYER_CANNOT_PAY') || error.issues.includes('TRANSACTION_REFUSED')) {
          return { kind: 'declined', reason: `PayPal declined the payment of order ${id} (${error.issues.join(', ')})` };
        }
        if (error.issues.includes('ORDER_NOT_APPROVED')) return { kind: 'not_approved' };
        throw error;
      }
    },
  };
}
