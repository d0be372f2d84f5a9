import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { createPaypalClient } from '../../src/providers/payments/paypal/create-paypal-client.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { startPaypalDialectServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type PaypalDialectServer } from './paypal-dialect-server.ts';
import { createTestCertificates } from './paypal-test-certificates.ts';
import { saleCompletedEvent, signDelivery } from './paypal-webhook-signing.ts';
import { activeSubscription } from './paypal-wire-samples.ts';

const WEBHOOK_ID = '8PT597110X687430LKGECATA';
const NOW = new Date('2026-06-01T12:00:00Z');
let server: PaypalDialectServer;

beforeEach(async () => {
  server = await startPaypalDialectServer({ prefix: '/paypal' });
});
afterEach(() => server.stop());

describe('createPaypalClient', () => {
  it('is null while PayPal is not configured', () => {
    expect(createPaypalClient(loadConfig({}, mkdtempSync(join(tmpdir(), 'recur-')))!, new ManualClock())).toBeNull();
  });

  it('from the settings of a local sandbox: the SDK and the verifier share the sandbox\'s base, and its root CA signs the webhook certificate', async () => {
    const certs = await createTestCertificates({ validFrom: new Date(NOW.getTime() - 86_400_000) });
    const dir = mkdtempSync(join(tmpdir(), 'recur-paypal-'));
    writeFileSync(join(dir, 'root.pem'), certs.root.pem);
    server.route('GET /v1/billing/subscriptions/I-BW452GLLEP1G', () => ({ status: 200, body: activeSubscription }));
    const config = loadConfig({ PAYPAL_CLIENT_ID: TEST_CLIENT_ID, PAYPAL_CLIENT_SECRET: TEST_CLIENT_SECRET, PAYPAL_WEBHOOK_ID: WEBHOOK_ID, PAYPAL_API_BASE: server.url, PAYPAL_SANDBOX_ROOT_CA_FILE: join(dir, 'root.pem') }, dir);
    const paypal = createPaypalClient(config, new ManualClock(NOW))!;
    await expect(paypal.sdk.getSubscription('I-BW452GLLEP1G')).resolves.toMatchObject({ id: 'I-BW452GLLEP1G', status: 'ACTIVE' });

    // The certificate comes from the sandbox's certs path, without a token (PayPal's cert URLs are public), once.
    server.script('GET /v1/notifications/certs/CERT-sandbox-1', { status: 200, text: certs.leaf.pem });
    const raw = saleCompletedEvent();
    const certUrl = `${server.url}/v1/notifications/certs/CERT-sandbox-1`;
    const headers = signDelivery(raw, { time: NOW.toISOString(), webhookId: WEBHOOK_ID, certUrl, key: certs.leaf.privateKey });
    expect((await paypal.verifyWebhook(raw, headers, NOW)).ok).toBe(true);
    expect((await paypal.verifyWebhook(raw, headers, NOW)).ok).toBe(true);
    const certRequests = server.requests.filter((request) => request.path.startsWith('/v1/notifications/certs/'));
    expect(certRequests).toHaveLength(1);
    expect(certRequests[0]!.headers['authorization']).toBeUndefined();
    const forged = signDelivery(raw, { time: NOW.toISOString(), webhookId: WEBHOOK_ID, certUrl, key: certs.selfSigned.privateKey });
    expect(await paypal.verifyWebhook(raw, forged, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });
});
