import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPaypalHttp } from '../../src/providers/payments/paypal/paypal-http.ts';
import { createPaypalRestClient, nextPageToken, type PaypalRestClient } from '../../src/providers/payments/paypal/paypal-rest-client.ts';
import { createPaypalWebhookVerifier } from '../../src/providers/payments/paypal/verify-paypal-webhook.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { createRequestBudget } from '../../src/shared/request-budget.ts';
import { startPaypalDialectServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type PaypalDialectServer } from './paypal-dialect-server.ts';
import { createTestCertificates } from './paypal-test-certificates.ts';
import { saleCompletedEvent, signDelivery } from './paypal-webhook-signing.ts';
import { resolvedDispute } from './paypal-wire-samples.ts';

let server: PaypalDialectServer;
let client: PaypalRestClient;
const product = { id: 'PROD-XXCD1234QWER65782', name: 'Sportclub membership', description: 'Monthly or yearly', type: 'SERVICE', category: 'SPORTING_GOODS', create_time: '2026-05-01T00:00:00Z', update_time: '2026-05-01T00:00:00Z', links: [] };

beforeEach(async () => {
  server = await startPaypalDialectServer();
  client = createPaypalRestClient(createPaypalHttp({ apiBase: server.url, clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, budget: createRequestBudget(1000), clock: new ManualClock('2026-06-01T12:00:00Z'), backoffMs: 1 }));
});
afterEach(() => server.stop());

describe('PayPal REST client: Catalog Products', () => {
  it('creates a product under the operation\'s request id, reads it back, and lists them', async () => {
    server.route('POST /v1/catalogs/products', () => ({ status: 201, body: product }));
    server.route('GET /v1/catalogs/products/PROD-XXCD1234QWER65782', () => ({ status: 200, body: product }));
    server.route('GET /v1/catalogs/products', () => ({ status: 200, body: { products: [{ id: product.id, name: product.name, create_time: product.create_time, links: [] }], total_items: 1, total_pages: 1, links: [] } }));
    const created = await client.createProduct({ id: product.id, name: product.name, description: product.description, type: 'SERVICE', category: 'SPORTING_GOODS' }, 'recur:product:catalogue');
    expect(created).toEqual(product);
    await expect(client.getProduct(product.id)).resolves.toEqual(product);
    await expect(client.listProducts({ pageSize: 20, page: 1 })).resolves.toMatchObject({ products: [{ id: product.id }], total_items: 1 });
    const [create, , list] = server.apiRequests();
    expect(create!.headers).toMatchObject({ 'paypal-request-id': 'recur:product:catalogue', 'content-type': 'application/json' });
    expect(JSON.parse(create!.body)).toEqual({ id: product.id, name: product.name, description: product.description, type: 'SERVICE', category: 'SPORTING_GOODS' });
    expect(list!.path).toBe('/v1/catalogs/products?page=1&page_size=20&total_required=true');
  });

  it('answers null for a product PayPal does not know', async () => {
    await expect(client.getProduct('PROD-UNKNOWN')).resolves.toBeNull();
  });
});

describe('PayPal REST client: Disputes', () => {
  it('lists disputes with PayPal\'s filters and follows the next page token', async () => {
    server.route('GET /v1/customer/disputes', (request) =>
      request.path.includes('next_page_token')
        ? { status: 200, body: { items: [], links: [] } }
        : { status: 200, body: { items: [{ dispute_id: 'PP-D-27803', status: 'WAITING_FOR_SELLER_RESPONSE', dispute_state: 'REQUIRED_ACTION', reason: 'UNAUTHORISED', dispute_amount: { currency_code: 'EUR', value: '299.90' } }], links: [{ href: `${server.url}/v1/customer/disputes?next_page_token=NEXT-2`, rel: 'next', method: 'GET' }] } },
    );
    const first = await client.listDisputes({ disputedTransactionId: '2GG279541U471931P', states: ['REQUIRED_ACTION', 'RESOLVED'], updatedAfter: new Date('2026-06-01T00:00:00Z'), pageSize: 50 });
    expect(first.items?.map((item) => item.dispute_id)).toEqual(['PP-D-27803']);
    expect(nextPageToken(first)).toBe('NEXT-2');
    const second = await client.listDisputes({ nextPageToken: nextPageToken(first)! });
    expect(nextPageToken(second)).toBeNull();
    expect(server.apiRequests().map((request) => request.path)).toEqual([
      '/v1/customer/disputes?disputed_transaction_id=2GG279541U471931P&dispute_state=REQUIRED_ACTION%2CRESOLVED&update_time_after=2026-06-01T00%3A00%3A00.000Z&page_size=50',
      '/v1/customer/disputes?next_page_token=NEXT-2',
    ]);
  });

  it('reads a dispute, null when unknown, and accepts a claim under the operation\'s request id', async () => {
    server.route('GET /v1/customer/disputes/PP-D-27803', () => ({ status: 200, body: resolvedDispute }));
    server.route('POST /v1/customer/disputes/PP-D-27803/accept-claim', () => ({ status: 200, body: { links: [{ href: `${server.url}/v1/customer/disputes/PP-D-27803`, rel: 'self', method: 'GET' }] } }));
    await expect(client.getDispute('PP-D-27803')).resolves.toEqual(resolvedDispute);
    await expect(client.getDispute('PP-D-UNKNOWN')).resolves.toBeNull();
    await expect(client.acceptDisputeClaim('PP-D-27803', 'Refunded by the shop\'s dispute policy', 'recur:accept-dispute:PP-D-27803')).resolves.toMatchObject({ links: [{ rel: 'self' }] });
    const accept = server.apiRequests().at(-1)!;
    expect(accept.headers['paypal-request-id']).toBe('recur:accept-dispute:PP-D-27803');
    expect(JSON.parse(accept.body)).toEqual({ note: 'Refunded by the shop\'s dispute policy' });
  });
});

describe('PayPal REST client: webhook signature postback', () => {
  it('asks verify-webhook-signature with the delivery\'s headers and the parsed event, and the verifier follows PayPal\'s answer', async () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const certs = await createTestCertificates({ validFrom: new Date(now.getTime() - 86_400_000) });
    server.route('POST /v1/notifications/verify-webhook-signature', (request) => {
      const body = JSON.parse(request.body) as { transmission_id: string; webhook_id: string };
      return { status: 200, body: { verification_status: body.transmission_id === '69cd13f0-d67a-11e5-baa3-778b53f4ae55' && body.webhook_id === '8PT597110X687430LKGECATA' ? 'SUCCESS' : 'FAILURE' } };
    });
    const verify = createPaypalWebhookVerifier({ mode: 'live', webhookId: '8PT597110X687430LKGECATA', verification: 'postback', postback: (request) => client.verifyWebhookSignature(request), trustAnchors: [new X509Certificate(certs.root.pem)] });
    const raw = saleCompletedEvent();
    const headers = signDelivery(raw, { time: now.toISOString(), webhookId: '8PT597110X687430LKGECATA', certUrl: 'https://api.paypal.com/v1/notifications/certs/CERT-1', key: certs.leaf.privateKey });
    expect((await verify(raw, headers, now)).ok).toBe(true);
    expect(await verify(raw, { ...headers, 'paypal-transmission-id': 'f0000000-d67a-11e5-baa3-778b53f4ae55' }, now)).toEqual({ ok: false, reason: 'bad-signature' });
    const [asked] = server.apiRequests();
    expect(JSON.parse(asked!.body)).toEqual({
      auth_algo: 'SHA256withRSA',
      cert_url: 'https://api.paypal.com/v1/notifications/certs/CERT-1',
      transmission_id: '69cd13f0-d67a-11e5-baa3-778b53f4ae55',
      transmission_sig: headers['paypal-transmission-sig'],
      transmission_time: now.toISOString(),
      webhook_id: '8PT597110X687430LKGECATA',
      webhook_event: JSON.parse(raw.toString()),
    });
  });

  it('an answer without a verification status is an error, not a verdict', async () => {
    server.route('POST /v1/notifications/verify-webhook-signature', () => ({ status: 200, body: {} }));
    await expect(client.verifyWebhookSignature({ auth_algo: 'SHA256withRSA', cert_url: 'https://api.paypal.com/v1/notifications/certs/CERT-1', transmission_id: 't', transmission_sig: 's', transmission_time: '2026-06-01T12:00:00Z', webhook_id: 'w', webhook_event: {} })).rejects.toThrow(/no verification_status/);
  });
});
