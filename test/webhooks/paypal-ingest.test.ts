import { sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxWorkerDeps } from '../../src/jobs/process-webhook-inbox.ts';
import { buildWebhookVerifiers } from '../../src/runtime/build-payment-providers.ts';
import { drainInbox } from '../../src/webhooks/drain-inbox.ts';
import type { RunningSandbox } from '../../sandbox/core/start-sandbox.ts';
import { defaultPaypalCredentials, ROOT_CA_FILE } from '../../sandbox/paypal/paypal-sandbox.ts';
import { crc32ByTable } from '../../src/providers/payments/paypal/crc32.ts';
import { createTestCertificates } from '../paypal/paypal-test-certificates.ts';
import { accessToken, monthlyPlan, paypalCall, startPaypalSandbox } from '../sandbox/paypal/paypal-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startWebhookTestApp, type WebhookTestApp } from './webhook-test-app.ts';

type Delivery = { path: string; raw: Buffer; headers: Record<string, string> };

const PAYPAL_HEADERS = ['content-type', 'paypal-auth-algo', 'paypal-cert-url', 'paypal-transmission-id', 'paypal-transmission-sig', 'paypal-transmission-time'];
const pick = (headers: IncomingHttpHeaders): Record<string, string> => Object.fromEntries(PAYPAL_HEADERS.filter((name) => typeof headers[name] === 'string').map((name) => [name, headers[name] as string]));

/**
 * Where the sandbox delivers: records each delivery (its bytes and headers, to forge from), passes
 * the ones for `/recur` on to recur's listening app and answers with recur's status; serves a
 * forger's certificate under /paypal/v1/notifications/certs/.
 */
function startRelay() {
  const received: Delivery[] = [];
  let target = '';
  let forgedCertificate = '';
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'GET' && request.url?.startsWith('/paypal/v1/notifications/certs/')) {
        response.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(forgedCertificate);
        return;
      }
      const delivery = { path: request.url ?? '', raw: Buffer.concat(chunks), headers: pick(request.headers) };
      received.push(delivery);
      if (delivery.path !== '/recur') {
        response.writeHead(200).end();
        return;
      }
      fetch(`${target}/webhooks/paypal`, { method: 'POST', headers: delivery.headers, body: delivery.raw }).then(
        (answer) => response.writeHead(answer.status).end(),
        () => response.writeHead(502).end(),
      );
    });
  });
  return {
    received,
    setTarget: (url: string) => (target = url),
    serveCertificate: (pem: string) => (forgedCertificate = pem),
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(testDatabaseKinds)('PayPal webhooks into recur on %s, verified offline against the sandbox\'s signing', (kind) => {
  let dir: string;
  let sandbox: RunningSandbox;
  let relay: ReturnType<typeof startRelay>;
  let relayUrl: string;
  let t: WebhookTestApp;
  let webhookId: string;
  let genuine: Delivery;
  let token: string;
  let settings: Parameters<typeof buildWebhookVerifiers>[0];

  const register = async (url: string): Promise<string> => {
    const response = await fetch(`${sandbox.url}/paypal/sandbox/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
    return ((await response.json()) as { id: string }).id;
  };
  const flush = () => fetch(`${sandbox.url}/sandbox/webhooks/flush`, { method: 'POST' });
  const advance = (body: Record<string, number>) => fetch(`${sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const paypalRows = async () => (await t.ctx.db.query<{ provider_event_id: string; status: string; attempts: number; last_error: string | null }>("SELECT provider_event_id, status, attempts, last_error FROM webhook_inbox WHERE provider = 'paypal'")).rows;

  /** A subscription created at the sandbox: it raises BILLING.SUBSCRIPTION.CREATED, signed and delivered. */
  async function raiseEvent(): Promise<void> {
    const product = await paypalCall(sandbox.url, token, 'POST', '/v1/catalogs/products', { name: 'Club membership', type: 'SERVICE' });
    const plan = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/plans', monthlyPlan(String(product.body.id)));
    const subscription = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', { plan_id: plan.body.id });
    expect(subscription.status).toBe(201);
    await flush();
  }

  const post = (raw: Buffer | string, headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/webhooks/paypal', headers, payload: raw });
  const resign = (raw: Buffer, headers: Record<string, string>, key: Parameters<typeof sign>[2], certUrl = headers['paypal-cert-url']!) => ({
    ...headers,
    'paypal-cert-url': certUrl,
    'paypal-transmission-sig': sign('sha256', Buffer.from(`${headers['paypal-transmission-id']}|${headers['paypal-transmission-time']}|${webhookId}|${crc32ByTable(raw)}`), key).toString('base64'),
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recur-paypal-ingest-'));
    sandbox = await startPaypalSandbox({ stateFile: join(dir, 'sandbox-state.json') });
    relay = startRelay();
    relayUrl = await relay.listen();
    webhookId = await register(`${relayUrl}/recur`);
    settings = {
      STRIPE_WEBHOOK_SECRET: undefined,
      PAYPAL_CLIENT_ID: defaultPaypalCredentials.clientId,
      PAYPAL_CLIENT_SECRET: defaultPaypalCredentials.clientSecret,
      PAYPAL_WEBHOOK_ID: webhookId,
      PAYPAL_MODE: 'sandbox',
      PAYPAL_API_BASE: `${sandbox.url}/paypal`,
      PAYPAL_MAX_REQUESTS_PER_SECOND: 10,
      PAYPAL_WEBHOOK_VERIFICATION: 'offline',
      PAYPAL_SANDBOX_ROOT_CA_FILE: join(dir, ROOT_CA_FILE),
    };
    // recur's clock is the sandbox's: transmission times are sandbox time.
    const clock = { now: () => sandbox.ctx.clock.now() };
    t = await startWebhookTestApp(kind, { secrets: null, clock, bodyLimitBytes: 64 * 1024, paypal: settings });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    relay.setTarget(`http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`);
    token = await accessToken(sandbox.url);
  });
  afterAll(async () => {
    await t?.close();
    await relay?.close();
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a delivery the sandbox signed and sent, answering 200; without a PayPal processor the worker records it ignored, once, not as a failure', async () => {
    await raiseEvent();
    const delivered = relay.received.filter((delivery) => delivery.path === '/recur');
    expect(delivered).toHaveLength(1);
    genuine = delivered[0]!;
    const event = JSON.parse(genuine.raw.toString()) as { id: string; event_type: string };
    expect(event.event_type).toBe('BILLING.SUBSCRIPTION.CREATED');
    const deliveries = (await (await fetch(`${sandbox.url}/sandbox/webhooks/deliveries`)).json()) as { data: { eventId: string; status: string }[] };
    expect(deliveries.data.find((delivery) => delivery.eventId === event.id)?.status).toBe('delivered');
    expect(await paypalRows()).toMatchObject([{ provider_event_id: event.id, status: 'received' }]);

    // The same bytes again: one row.
    expect((await post(genuine.raw, genuine.headers)).json()).toEqual({ received: true, duplicate: true });

    await drainInbox(inboxWorkerDeps(t.ctx)!);
    await drainInbox(inboxWorkerDeps(t.ctx)!);
    expect(await paypalRows()).toEqual([{ provider_event_id: event.id, status: 'ignored', attempts: 1, last_error: expect.stringContaining('no event processor is registered for paypal') }]);
  });

  it.each([
    ['a signature by another key', async (d: Delivery) => ({ raw: d.raw, headers: resign(d.raw, d.headers, (await createTestCertificates()).leaf.privateKey) })],
    ['a body changed after signing (CRC mismatch)', async (d: Delivery) => ({ raw: Buffer.from(d.raw.toString().replace('"status":"APPROVAL_PENDING"', '"status":"ACTIVE"')), headers: d.headers })],
    ['a certificate URL on another host', async (d: Delivery) => ({ raw: d.raw, headers: { ...d.headers, 'paypal-cert-url': `https://evil.example.com/v1/notifications/certs/${d.headers['paypal-cert-url']!.split('/').pop()}` } })],
    ['a certificate URL on another loopback origin', async (d: Delivery) => ({ raw: d.raw, headers: { ...d.headers, 'paypal-cert-url': `${relayUrl}/paypal/v1/notifications/certs/${d.headers['paypal-cert-url']!.split('/').pop()}` } })],
    ['an http certificate URL on PayPal\'s host', async (d: Delivery) => ({ raw: d.raw, headers: { ...d.headers, 'paypal-cert-url': `http://api.sandbox.paypal.com/v1/notifications/certs/${d.headers['paypal-cert-url']!.split('/').pop()}` } })],
  ])('refuses %s with 400 and stores nothing', async (_, forge) => {
    const before = await paypalRows();
    relay.serveCertificate((await (await fetch(genuine.headers['paypal-cert-url']!)).text()));
    const forged = await forge(genuine);
    expect(forged.raw.equals(genuine.raw) && JSON.stringify(forged.headers) === JSON.stringify(genuine.headers)).toBe(false);
    const response = await post(forged.raw, forged.headers);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_signature');
    expect(await paypalRows()).toEqual(before);
  });

  it('refuses a self-signed certificate served where recur fetches certificates, with 400', async () => {
    const forger = await createTestCertificates({ validFrom: new Date(sandbox.ctx.clock.now().getTime() - 86_400_000), leafName: 'messageverificationcerts.sandbox.paypal.com' });
    relay.serveCertificate(forger.selfSigned.pem);
    const raw = Buffer.from(genuine.raw.toString().replace(/"id":"WH-[^"]+"/, '"id":"WH-FORGED-SELF-SIGNED"'));
    // recur pointed at a PayPal API on the forger's loopback origin, still trusting only the sandbox's root.
    t.ctx.webhooks.verifiers.paypal = buildWebhookVerifiers({ ...settings, PAYPAL_API_BASE: `${relayUrl}/paypal` }, t.ctx.clock).paypal!;
    try {
      const response = await post(raw, resign(raw, genuine.headers, forger.selfSigned.privateKey, `${relayUrl}/paypal/v1/notifications/certs/CERT-forged`));
      expect(response.statusCode).toBe(400);
      expect(await paypalRows()).toHaveLength(1);
    } finally {
      t.ctx.webhooks.verifiers.paypal = buildWebhookVerifiers(settings, t.ctx.clock).paypal!;
    }
  });

  it('refuses a delivery signed for another webhook id (another endpoint\'s) with 400', async () => {
    await register(`${relayUrl}/another-shop`);
    await raiseEvent();
    const other = relay.received.findLast((delivery) => delivery.path === '/another-shop')!;
    const ours = relay.received.findLast((delivery) => delivery.path === '/recur')!;
    // The sandbox sent the event to both endpoints; recur took the one signed for its own id.
    expect(JSON.parse(ours.raw.toString()).id).toBe(JSON.parse(other.raw.toString()).id);
    expect(await paypalRows()).toHaveLength(2);
    const response = await post(Buffer.from(other.raw.toString().replace(/"id":"WH-[^"]+"/, '"id":"WH-FOR-ANOTHER-SHOP"')), other.headers);
    expect(response.statusCode).toBe(400);
    expect(await paypalRows()).toHaveLength(2);
  });

  it('answers 503 and stores nothing when the certificate cannot be fetched (PayPal unreachable), so PayPal delivers again', async () => {
    const idle = createServer();
    await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve));
    const deadOrigin = `http://127.0.0.1:${(idle.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => idle.close(() => resolve()));
    t.ctx.webhooks.verifiers.paypal = buildWebhookVerifiers({ ...settings, PAYPAL_API_BASE: `${deadOrigin}/paypal` }, t.ctx.clock).paypal!;
    try {
      const raw = Buffer.from(genuine.raw.toString().replace(/"id":"WH-[^"]+"/, '"id":"WH-WHILE-PAYPAL-IS-DOWN"'));
      const response = await post(raw, { ...genuine.headers, 'paypal-cert-url': `${deadOrigin}/paypal/v1/notifications/certs/${genuine.headers['paypal-cert-url']!.split('/').pop()}` });
      expect(response.statusCode).toBe(503);
      expect(response.json().error.code).toBe('verification_unavailable');
      expect(await paypalRows()).toHaveLength(2);
    } finally {
      t.ctx.webhooks.verifiers.paypal = buildWebhookVerifiers(settings, t.ctx.clock).paypal!;
    }
  });

  it('refuses the genuine bytes replayed once the transmission time is outside the window, with 400', async () => {
    // Within the window the same bytes are a duplicate (200); 301 s later they are refused.
    expect((await advance({ seconds: 301 })).ok).toBe(true);
    const response = await post(genuine.raw, genuine.headers);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_signature');
    expect(await paypalRows()).toHaveLength(2);
  });

  it('refuses deliveries the sandbox signs with its certificate after it expired (recur\'s clock past its end), with 400', async () => {
    // The signing certificate is valid for five years; the subscriptions are pending approval, so nothing bills.
    expect((await advance({ days: 5 * 366 })).ok).toBe(true);
    const before = relay.received.length;
    await raiseEvent();
    const attempts = relay.received.slice(before).filter((delivery) => delivery.path === '/recur');
    expect(attempts.length).toBeGreaterThan(0);
    const eventId = JSON.parse(attempts[0]!.raw.toString()).id as string;
    const response = await post(attempts[0]!.raw, attempts[0]!.headers);
    expect(response.statusCode).toBe(400);
    const deliveries = (await (await fetch(`${sandbox.url}/sandbox/webhooks/deliveries`)).json()) as { data: { eventId: string; url: string; status: string; lastStatusCode: number | null }[] };
    expect(deliveries.data.filter((delivery) => delivery.eventId === eventId && delivery.url.endsWith('/recur'))).toMatchObject([{ lastStatusCode: 400 }]);
    expect(deliveries.data.filter((delivery) => delivery.eventId === eventId && delivery.url.endsWith('/recur'))[0]!.status).not.toBe('delivered');
    expect((await paypalRows()).map((row) => row.provider_event_id)).not.toContain(eventId);
  });
});
