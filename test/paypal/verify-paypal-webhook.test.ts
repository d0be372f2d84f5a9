import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32, crc32ByTable } from '../../src/providers/payments/paypal/crc32.ts';
import { PaypalApiError } from '../../src/providers/payments/paypal/paypal-api-error.ts';
import { createPaypalWebhookVerifier, type PaypalSignatureVerificationRequest, type PaypalWebhookVerifierOptions } from '../../src/providers/payments/paypal/verify-paypal-webhook.ts';
import { createTestCertificates } from './paypal-test-certificates.ts';
import { saleCompletedEvent, signDelivery } from './paypal-webhook-signing.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const WEBHOOK_ID = '8PT597110X687430LKGECATA';
const CERTS = 'https://api.paypal.com/v1/notifications/certs/';
const at = (offsetSeconds: number) => new Date(NOW.getTime() + offsetSeconds * 1000).toISOString();

let certs: Awaited<ReturnType<typeof createTestCertificates>>;
let fetched: string[];
let served: Map<string, { status: number; body: string }>;

const fakeFetch = (async (input: string | URL | Request) => {
  const url = String(input);
  fetched.push(url);
  const answer = served.get(url) ?? { status: 404, body: '' };
  return new Response(answer.body, { status: answer.status });
}) as typeof fetch;

function verifier(overrides: Partial<PaypalWebhookVerifierOptions> = {}) {
  return createPaypalWebhookVerifier({ mode: 'live', webhookId: WEBHOOK_ID, verification: 'offline', trustAnchors: [new X509Certificate(certs.root.pem)], fetch: fakeFetch, ...overrides });
}

beforeAll(async () => {
  certs = await createTestCertificates({ validFrom: new Date(NOW.getTime() - 86_400_000) });
});

function serve(name: string, pem: string): string {
  served.set(`${CERTS}${name}`, { status: 200, body: pem });
  return `${CERTS}${name}`;
}

function reset() {
  fetched = [];
  served = new Map();
  return serve('CERT-360caa42-fca2a594-a5cafa77', `${certs.leaf.pem}\n`);
}

describe('PayPal webhook verification, offline', () => {
  it('accepts a genuine delivery and reads the event from it', async () => {
    const certUrl = reset();
    const raw = saleCompletedEvent();
    const result = await verifier()(raw, signDelivery(raw, { time: at(-2), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey }), NOW);
    expect(result).toEqual({
      ok: true,
      event: { providerEventId: 'WH-2WR32451HC0233532-67976317FL4543714', type: 'PAYMENT.SALE.COMPLETED', payload: JSON.parse(raw.toString()), payloadText: raw.toString(), providerCreatedAt: new Date('2026-06-01T11:59:58.000Z') },
    });
  });

  it('downloads a certificate once and keeps it by URL, a bounded number of them', async () => {
    const first = reset();
    const second = serve('CERT-2', certs.leaf.pem);
    const third = serve('CERT-3', certs.leaf.pem);
    const verify = verifier({ certificateCacheSize: 2 });
    const raw = saleCompletedEvent();
    for (const certUrl of [first, first, second, third, first]) {
      expect((await verify(raw, signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey }), NOW)).ok).toBe(true);
    }
    // The third URL pushed out the first, which had to be fetched again.
    expect(fetched).toEqual([first, second, third, first]);
  });

  it('does not keep a failed download: the next delivery tries again', async () => {
    const certUrl = reset();
    served.set(certUrl, { status: 503, body: '' });
    const raw = saleCompletedEvent();
    const headers = signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey });
    const verify = verifier();
    expect(await verify(raw, headers, NOW)).toEqual({ ok: false, reason: 'unavailable' });
    served.set(certUrl, { status: 200, body: certs.leaf.pem });
    expect((await verify(raw, headers, NOW)).ok).toBe(true);
  });

  it('a certificate PayPal cannot serve now (unreachable, 5xx, 429) is unavailable; one it does not have (404) is a bad signature', async () => {
    const certUrl = reset();
    const raw = saleCompletedEvent();
    const headers = signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey });
    const unreachable = (async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    }) as typeof fetch;
    expect(await verifier({ fetch: unreachable })(raw, headers, NOW)).toEqual({ ok: false, reason: 'unavailable' });
    served.set(certUrl, { status: 429, body: '' });
    expect(await verifier()(raw, headers, NOW)).toEqual({ ok: false, reason: 'unavailable' });
    served.set(certUrl, { status: 404, body: '' });
    expect(await verifier()(raw, headers, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['live', 'https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77'],
    ['live', 'https://api-m.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77'],
    ['sandbox', 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77'],
    ['sandbox', 'https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77'],
  ] as const)('in %s mode fetches the certificate from PayPal\'s API host %s', async (mode, certUrl) => {
    reset();
    served.set(certUrl, { status: 200, body: certs.leaf.pem });
    const raw = saleCompletedEvent();
    expect((await verifier({ mode })(raw, signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey }), NOW)).ok).toBe(true);
    expect(fetched).toEqual([certUrl]);
  });

  it.each([
    ['a signature by another key', (raw: Buffer, certUrl: string) => signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.selfSigned.privateKey })],
    ['a CRC of other bytes', (raw: Buffer, certUrl: string) => signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey, crcOf: saleCompletedEvent('WH-OTHER') })],
    ['another endpoint\'s webhook id', (raw: Buffer, certUrl: string) => signDelivery(raw, { time: at(0), webhookId: '1JE4291016473214C', certUrl, key: certs.leaf.privateKey })],
    ['a transmission time 301 s ago', (raw: Buffer, certUrl: string) => signDelivery(raw, { time: at(-301), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey })],
    ['a transmission time 301 s ahead', (raw: Buffer, certUrl: string) => signDelivery(raw, { time: at(301), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey })],
    ['another transmission id than the one signed', (raw: Buffer, certUrl: string) => ({ ...signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey }), 'paypal-transmission-id': 'b2c1d3e4-0000-11e5-baa3-778b53f4ae55' })],
  ])('refuses %s', async (_, sign) => {
    const certUrl = reset();
    const raw = saleCompletedEvent();
    expect(await verifier()(raw, sign(raw, certUrl), NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a body changed after signing', async () => {
    const certUrl = reset();
    const headers = signDelivery(saleCompletedEvent(), { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey });
    const changed = Buffer.from(saleCompletedEvent().toString().replace('29.99', '2999.00'));
    expect(await verifier()(changed, headers, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('takes the window from its setting', async () => {
    const certUrl = reset();
    const raw = saleCompletedEvent();
    const headers = signDelivery(raw, { time: at(-400), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey });
    expect((await verifier()(raw, headers, NOW)).ok).toBe(false);
    expect((await verifier({ windowSeconds: 600 })(raw, headers, NOW)).ok).toBe(true);
    expect((await verifier()(raw, signDelivery(raw, { time: at(-299), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey }), NOW)).ok).toBe(true);
  });

  it.each([
    ['another host', 'https://evil.example.com/v1/notifications/certs/CERT-1'],
    ['a host that only begins like PayPal\'s', 'https://api.paypal.com.evil.example.com/v1/notifications/certs/CERT-1'],
    ['PayPal\'s sandbox host in live mode', 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-1'],
    ['PayPal\'s other sandbox host in live mode', 'https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-1'],
    ['http', 'http://api.paypal.com/v1/notifications/certs/CERT-1'],
    ['another port', 'https://api.paypal.com:8443/v1/notifications/certs/CERT-1'],
    ['another path', 'https://api.paypal.com/v1/oauth2/token'],
    ['a path that climbs out', 'https://api.paypal.com/v1/notifications/certs/%2e%2e/%2e%2e/oauth2/token'],
    ['a query', 'https://api.paypal.com/v1/notifications/certs/CERT-1?redirect=https://evil.example.com'],
    ['credentials', 'https://user:pass@api.paypal.com/v1/notifications/certs/CERT-1'],
  ])('never fetches a certificate URL on %s', async (_, certUrl) => {
    reset();
    served.set(certUrl, { status: 200, body: certs.leaf.pem });
    const raw = saleCompletedEvent();
    expect(await verifier()(raw, signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey }), NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(fetched).toEqual([]);
  });

  it.each([
    ['an expired certificate', () => certs.expired],
    ['a self-signed certificate', () => certs.selfSigned],
    ['a certificate naming the root as issuer but signed by another key', () => certs.wrongIssuerKey],
    ['a certificate for another name', () => certs.otherName],
    ['the root itself', () => certs.root],
  ])('refuses a signature made with %s', async (_, certificate) => {
    reset();
    const certUrl = serve('CERT-forged', certificate().pem);
    const raw = saleCompletedEvent();
    expect(await verifier()(raw, signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certificate().privateKey }), NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(fetched).toEqual([certUrl]);
  });

  it('refuses a self-signed CA served together with a leaf it issued', async () => {
    const forger = await createTestCertificates({ validFrom: new Date(NOW.getTime() - 86_400_000) });
    reset();
    const certUrl = serve('CERT-chain', `${forger.leaf.pem}\n${forger.root.pem}`);
    const raw = saleCompletedEvent();
    expect(await verifier()(raw, signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: forger.leaf.privateKey }), NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('checks the certificate\'s validity by recur\'s clock, also for a cached one', async () => {
    const certUrl = reset();
    const raw = saleCompletedEvent();
    const verify = verifier();
    expect((await verify(raw, signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey }), NOW)).ok).toBe(true);
    const later = new Date(NOW.getTime() + 366 * 86_400_000);
    const lateHeaders = signDelivery(raw, { time: later.toISOString(), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey });
    expect(await verify(raw, lateHeaders, later)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['paypal-transmission-id'],
    ['paypal-transmission-time'],
    ['paypal-transmission-sig'],
    ['paypal-cert-url'],
    ['paypal-auth-algo'],
  ])('a delivery without %s is malformed', async (name) => {
    const certUrl = reset();
    const raw = saleCompletedEvent();
    const headers: Record<string, string> = signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey });
    delete headers[name];
    expect(await verifier()(raw, headers, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(fetched).toEqual([]);
  });

  it.each([
    ['another algorithm', { 'paypal-auth-algo': 'SHA1withRSA' }],
    ['a time that is not an instant', { 'paypal-transmission-time': 'yesterday' }],
    ['a signature that is not base64', { 'paypal-transmission-sig': 'not base64!' }],
  ])('a delivery naming %s is malformed', async (_, change) => {
    const certUrl = reset();
    const raw = saleCompletedEvent();
    expect(await verifier()(raw, { ...signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey }), ...change }, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('a correctly signed body that is not a PayPal event is malformed', async () => {
    const certUrl = reset();
    for (const raw of [Buffer.from('not json'), Buffer.from('{"id":"WH-1"}')]) {
      expect(await verifier()(raw, signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey }), NOW)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});

describe('PayPal webhook verification against a local sandbox', () => {
  let base: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const server = createServer((req, res) => {
      if (req.url === '/paypal/v1/notifications/certs/CERT-sandbox-1') return void res.end(certs.leaf.pem);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/paypal`;
    stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterAll(() => stop());

  const sandboxVerifier = () => createPaypalWebhookVerifier({ mode: 'sandbox', webhookId: WEBHOOK_ID, verification: 'offline', loopbackSandbox: { apiBase: base, rootCa: new X509Certificate(certs.root.pem) } });

  it('fetches the certificate from the sandbox\'s own certs path over loopback and checks it against the sandbox root', async () => {
    const raw = saleCompletedEvent();
    const headers = signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl: `${base}/v1/notifications/certs/CERT-sandbox-1`, key: certs.leaf.privateKey });
    expect((await sandboxVerifier()(raw, headers, NOW)).ok).toBe(true);
  });

  it('does not trust the sandbox root for a certificate from anywhere else, nor a path outside its certs', async () => {
    const raw = saleCompletedEvent();
    for (const certUrl of [`${base}/v1/oauth2/token`, `${base.replace('/paypal', '')}/v1/notifications/certs/CERT-sandbox-1`]) {
      const headers = signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey });
      expect(await sandboxVerifier()(raw, headers, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    }
  });
});

describe('PayPal webhook verification by postback', () => {
  it('postback mode asks PayPal with the parsed event and fetches no certificate', async () => {
    const certUrl = reset();
    const asked: PaypalSignatureVerificationRequest[] = [];
    const verify = verifier({ verification: 'postback', postback: async (request) => (asked.push(request), request.transmission_id === '69cd13f0-d67a-11e5-baa3-778b53f4ae55' ? 'SUCCESS' : 'FAILURE') });
    const raw = saleCompletedEvent();
    const headers = signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.selfSigned.privateKey });
    expect((await verify(raw, headers, NOW)).ok).toBe(true);
    expect(asked).toEqual([
      { auth_algo: 'SHA256withRSA', cert_url: certUrl, transmission_id: headers['paypal-transmission-id'], transmission_sig: headers['paypal-transmission-sig'], transmission_time: headers['paypal-transmission-time'], webhook_id: WEBHOOK_ID, webhook_event: JSON.parse(raw.toString()) },
    ]);
    expect(await verify(raw, { ...headers, 'paypal-transmission-id': 'b2c1d3e4-0000-11e5-baa3-778b53f4ae55' }, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(fetched).toEqual([]);
  });

  it('offline-then-postback asks PayPal only when the offline check fails', async () => {
    const certUrl = reset();
    let asked = 0;
    const verify = verifier({ verification: 'offline-then-postback', postback: async () => (asked++, 'FAILURE') });
    const raw = saleCompletedEvent();
    expect((await verify(raw, signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey }), NOW)).ok).toBe(true);
    expect(asked).toBe(0);
    expect(await verify(raw, signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.selfSigned.privateKey }), NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(asked).toBe(1);
  });

  it('never asks about a delivery outside the window', async () => {
    const certUrl = reset();
    let asked = 0;
    const verify = verifier({ verification: 'postback', postback: async () => (asked++, 'SUCCESS') });
    const raw = saleCompletedEvent();
    expect((await verify(raw, signDelivery(raw, { time: at(-3600), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey }), NOW)).ok).toBe(false);
    expect(asked).toBe(0);
  });

  it('a postback PayPal cannot answer now is unavailable (503 at the route); a refused request is thrown', async () => {
    const certUrl = reset();
    const raw = saleCompletedEvent();
    const headers = signDelivery(raw, { time: at(0), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey });
    const down = verifier({ verification: 'postback', postback: async () => Promise.reject(new PaypalApiError('POST /v1/notifications/verify-webhook-signature', 503, null)) });
    expect(await down(raw, headers, NOW)).toEqual({ ok: false, reason: 'unavailable' });
    const refused = verifier({ verification: 'postback', postback: async () => Promise.reject(new PaypalApiError('POST /v1/notifications/verify-webhook-signature', 400, null)) });
    await expect(refused(raw, headers, NOW)).rejects.toThrow(PaypalApiError);
  });

  it('needs a postback client unless offline', () => {
    expect(() => createPaypalWebhookVerifier({ mode: 'live', webhookId: WEBHOOK_ID, verification: 'postback' })).toThrow(/needs the postback client/);
  });
});

describe('CRC-32 of the raw body', () => {
  it('matches the standard check values, by zlib and by the table', () => {
    for (const implementation of [crc32, crc32ByTable]) {
      expect(implementation(Buffer.from(''))).toBe(0);
      expect(implementation(Buffer.from('123456789'))).toBe(0xcbf43926);
      expect(implementation(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
      expect(implementation(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toBe(0xffffffff);
    }
  });

  it('the table agrees with zlib on random bodies', () => {
    for (let i = 0; i < 50; i++) {
      const bytes = randomBytes(1 + (i * 97) % 5000);
      expect(crc32ByTable(bytes)).toBe(zlib.crc32(bytes) >>> 0);
    }
  });
});
