import { derivePaypalRequestId } from './derive-paypal-request-id.ts';
import { PaypalApiError } from './paypal-api-error.ts';
import type { PaypalHttp } from './paypal-http.ts';
import type {
  PaypalDispute,
  PaypalDisputeSearch,
  PaypalDisputeState,
  PaypalNewProduct,
  PaypalProduct,
  PaypalProductCollection,
  PaypalSubsequentAction,
  PaypalVerifyWebhookSignatureResponse,
} from './paypal-rest-types.ts';
import type { PaypalSignatureVerificationRequest } from './verify-paypal-webhook.ts';

/** The calls the official SDK lacks (Catalog Products, Disputes, webhook signature postback), over recur's PayPal transport. */
export type PaypalRestClient = {
  /** Creates the product; `requestId` names the operation, so a retry (or a second sync) gets the same product. */
  createProduct(product: PaypalNewProduct, requestId: string): Promise<PaypalProduct>;
  /** null when PayPal does not know the id. */
  getProduct(id: string): Promise<PaypalProduct | null>;
  /** One page (1-based) of the app's products, up to `pageSize` (at most 20, PayPal's limit). */
  listProducts(options?: { page?: number; pageSize?: number }): Promise<PaypalProductCollection>;
  /** One page of disputes; pass the answer's `next_page_token` (from its `next` link) to read on. */
  listDisputes(options?: { disputedTransactionId?: string; states?: PaypalDisputeState[]; updatedAfter?: Date; pageSize?: number; nextPageToken?: string }): Promise<PaypalDisputeSearch>;
  getDispute(id: string): Promise<PaypalDispute | null>;
  /** Accepts the claim: the buyer wins, PayPal refunds them. */
  acceptDisputeClaim(id: string, note: string, requestId: string): Promise<PaypalSubsequentAction>;
  verifyWebhookSignature(request: PaypalSignatureVerificationRequest): Promise<'SUCCESS' | 'FAILURE'>;
};

const segment = (id: string) => encodeURIComponent(id);

async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof PaypalApiError && error.isNotFound) return null;
    throw error;
  }
}

function query(parameters: Record<string, string | number | undefined>): string {
  const entries = Object.entries(parameters).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([name, value]): [string, string] => [name, String(value)])).toString()}`;
}

/** The `next_page_token` of a list answer's `next` link, or null on the last page. */
export function nextPageToken(search: { links?: { href: string; rel: string }[] }): string | null {
  const next = search.links?.find((link) => link.rel === 'next');
  if (!next) return null;
  return new URL(next.href, 'https://api-m.paypal.com').searchParams.get('next_page_token');
}

export function createPaypalRestClient(http: PaypalHttp): PaypalRestClient {
  return {
    createProduct: (product, requestId) => http.send({ method: 'POST', path: '/v1/catalogs/products', body: product, requestId }),
    getProduct: (id) => orNull(http.send({ method: 'GET', path: `/v1/catalogs/products/${segment(id)}` })),
    listProducts: ({ page, pageSize } = {}) => http.send({ method: 'GET', path: `/v1/catalogs/products${query({ page, page_size: pageSize, total_required: 'true' })}` }),
    listDisputes: ({ disputedTransactionId, states, updatedAfter, pageSize, nextPageToken: token } = {}) =>
      http.send({
        method: 'GET',
        path: `/v1/customer/disputes${query({
          disputed_transaction_id: disputedTransactionId,
          dispute_state: states?.join(','),
          update_time_after: updatedAfter?.toISOString(),
          page_size: pageSize,
          next_page_token: token,
        })}`,
      }),
    getDispute: (id) => orNull(http.send({ method: 'GET', path: `/v1/customer/disputes/${segment(id)}` })),
    acceptDisputeClaim: (id, note, requestId) => http.send({ method: 'POST', path: `/v1/customer/disputes/${segment(id)}/accept-claim`, body: { note }, requestId }),
    async verifyWebhookSignature(request) {
      const answer = await http.send<PaypalVerifyWebhookSignatureResponse>({
        method: 'POST',
        path: '/v1/notifications/verify-webhook-signature',
        body: request,
        requestId: derivePaypalRequestId(['verify-webhook', request.transmission_id]),
      });
      if (answer?.verification_status !== 'SUCCESS' && answer?.verification_status !== 'FAILURE') {
        throw new PaypalApiError('POST /v1/notifications/verify-webhook-signature (the answer had no verification_status)', 200, null);
      }
      return answer.verification_status;
    },
  };
}
