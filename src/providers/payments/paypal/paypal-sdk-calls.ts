import {
  ApiError,
  OrdersController,
  PaymentsController,
  SubscriptionsController,
  type BillingPlan,
  type CapturedPayment,
  type Client,
  type CreateSubscriptionRequest,
  type ModifySubscriptionRequest,
  type ModifySubscriptionResponse,
  type Order,
  type OrderRequest,
  type PlanCollection,
  type PlanRequest,
  type Refund,
  type RefundRequest,
  type Subscription,
  type SubscriptionCollection,
  type TransactionsList,
} from '@paypal/paypal-server-sdk';
import { withPaypalRequestId } from './create-paypal-sdk-client.ts';
import { PaypalApiError, parsePaypalErrorBody } from './paypal-api-error.ts';

/** Ask PayPal for the object as it is after the change, not a bare 201. */
const FULL_REPRESENTATION = 'return=representation';

/**
 * The operations recur uses of the official SDK (Orders v2, Payments v2, Subscriptions and Billing
 * Plans), in SDK types: the mappers turn them into recur's. Every write takes the operation's
 * PayPal-Request-Id (`derivePaypalRequestId`); reads of an id PayPal does not know answer null.
 * Failures are PaypalApiError, never the SDK's own error classes.
 */
export type PaypalSdkCalls = {
  createOrder(order: OrderRequest, requestId: string): Promise<Order>;
  getOrder(id: string): Promise<Order | null>;
  captureOrder(id: string, requestId: string): Promise<Order>;
  getCapture(id: string): Promise<CapturedPayment | null>;
  refundCapture(id: string, refund: RefundRequest, requestId: string): Promise<Refund>;
  /** A refund of a capture or of a subscription's sale (Payments v2 reads both). */
  getRefund(id: string): Promise<Refund | null>;
  createPlan(plan: PlanRequest, requestId: string): Promise<BillingPlan>;
  listPlans(options?: { productId?: string; page?: number; pageSize?: number }): Promise<PlanCollection>;
  /** null when PayPal does not know the id. */
  getPlan(id: string): Promise<BillingPlan | null>;
  /** One page (1-based) of the subscriptions of the given plans, optionally only those in `statuses`. */
  listSubscriptions(options: { planIds: readonly string[]; statuses?: readonly string[]; page?: number; pageSize?: number }): Promise<SubscriptionCollection>;
  createSubscription(subscription: CreateSubscriptionRequest, requestId: string): Promise<Subscription>;
  getSubscription(id: string): Promise<Subscription | null>;
  reviseSubscription(id: string, revision: ModifySubscriptionRequest, requestId: string): Promise<ModifySubscriptionResponse>;
  suspendSubscription(id: string, reason: string, requestId: string): Promise<void>;
  activateSubscription(id: string, reason: string, requestId: string): Promise<void>;
  cancelSubscription(id: string, reason: string, requestId: string): Promise<void>;
  /** Payments of the subscription between the two instants (PayPal's transactions list). */
  listSubscriptionTransactions(id: string, from: Date, to: Date): Promise<TransactionsList>;
};

/** The SDK's error, as recur's: PayPal's own body (name, message, debug_id, issues) and the HTTP status. */
function toPaypalApiError(error: unknown, doing: string): unknown {
  if (error instanceof PaypalApiError) return error;
  if (error instanceof ApiError) return new PaypalApiError(doing, error.statusCode, typeof error.body === 'string' ? parsePaypalErrorBody(error.body) : null, { cause: error });
  // The transport's own failure (network, timeout) arrives wrapped by axios.
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof PaypalApiError ? cause : error;
}

async function call<T>(doing: string, run: () => Promise<{ result: T }>): Promise<T> {
  try {
    return (await run()).result;
  } catch (error) {
    throw toPaypalApiError(error, doing);
  }
}

async function callOrNull<T>(doing: string, run: () => Promise<{ result: T }>): Promise<T | null> {
  try {
    return await call(doing, run);
  } catch (error) {
    if (error instanceof PaypalApiError && error.isNotFound) return null;
    throw error;
  }
}

export function createPaypalSdkCalls(client: Client): PaypalSdkCalls {
  const orders = new OrdersController(client);
  const payments = new PaymentsController(client);
  const subscriptions = new SubscriptionsController(client);
  return {
    createOrder: (body, paypalRequestId) => call('creating an order', () => orders.createOrder({ body, paypalRequestId, prefer: FULL_REPRESENTATION })),
    getOrder: (id) => callOrNull(`reading order ${id}`, () => orders.getOrder({ id })),
    captureOrder: (id, paypalRequestId) => call(`capturing order ${id}`, () => orders.captureOrder({ id, paypalRequestId, prefer: FULL_REPRESENTATION })),
    getCapture: (captureId) => callOrNull(`reading capture ${captureId}`, () => payments.getCapturedPayment({ captureId })),
    getRefund: (refundId) => callOrNull(`reading refund ${refundId}`, () => payments.getRefund({ refundId })),
    refundCapture: (captureId, body, paypalRequestId) => call(`refunding capture ${captureId}`, () => payments.refundCapturedPayment({ captureId, body, paypalRequestId, prefer: FULL_REPRESENTATION })),
    createPlan: (body, paypalRequestId) => call('creating a billing plan', () => subscriptions.createBillingPlan({ body, paypalRequestId, prefer: FULL_REPRESENTATION })),
    listPlans: ({ productId, page, pageSize } = {}) => call('listing billing plans', () => subscriptions.listBillingPlans({ productId, page, pageSize, totalRequired: true, prefer: FULL_REPRESENTATION })),
    getPlan: (id) => callOrNull(`reading billing plan ${id}`, () => subscriptions.getBillingPlan(id)),
    listSubscriptions: ({ planIds, statuses, page, pageSize }) =>
      call('listing subscriptions', () => subscriptions.listSubscriptions({ planIds: planIds.join(','), ...(statuses ? { statuses: statuses.join(',') } : {}), page, pageSize })),
    createSubscription: (body, paypalRequestId) => call('creating a subscription', () => subscriptions.createSubscription({ body, paypalRequestId, prefer: FULL_REPRESENTATION })),
    getSubscription: (id) => callOrNull(`reading subscription ${id}`, () => subscriptions.getSubscription({ id })),
    reviseSubscription: (id, body, requestId) => withPaypalRequestId(requestId, () => call(`revising subscription ${id}`, () => subscriptions.reviseSubscription({ id, body }))),
    suspendSubscription: async (id, reason, requestId) => {
      await withPaypalRequestId(requestId, () => call(`suspending subscription ${id}`, () => subscriptions.suspendSubscription({ id, body: { reason } })));
    },
    activateSubscription: async (id, reason, requestId) => {
      await withPaypalRequestId(requestId, () => call(`activating subscription ${id}`, () => subscriptions.activateSubscription({ id, body: { reason } })));
    },
    cancelSubscription: async (id, reason, requestId) => {
      await withPaypalRequestId(requestId, () => call(`cancelling subscription ${id}`, () => subscriptions.cancelSubscription({ id, body: { reason } })));
    },
    listSubscriptionTransactions: (id, from, to) =>
      call(`listing the transactions of subscription ${id}`, () => subscriptions.listSubscriptionTransactions({ id, startTime: from.toISOString(), endTime: to.toISOString() })),
  };
}
