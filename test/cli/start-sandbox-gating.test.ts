import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDefaultSandbox } from '../../sandbox/start-default-sandbox.ts';
import { twilioSignature } from '../../sandbox/twilio/status-callback.ts';
import { killSpawnedProcesses, runRecur, startRecur, type RecurRun } from '../fixtures/recur-process.ts';
import { signStripe, stripeEventBody } from '../webhooks/webhook-test-app.ts';

// When `recur start` runs the provider emulators (ADR 0014): only when no provider is configured
// (or SANDBOX=on in development), only on loopback, never beside a live Stripe key; a partly
// configured deployment is refused with one line, and the sandbox's published secrets are never
// accepted where a real provider is configured.
const EX_CONFIG = 78;
const LIVE_KEY = 'sk_live_51HxRealLookingKeyThatIsNotARealOne000000000000';
const LINK_SIGNING_SECRET = 'a link-signing key of this test, 32+ characters';

type Published = { stripe: { webhookSecret: string }; twilio: { authToken: string; accountSid: string } };

let root: string;
let published: Published;
let dirCount = 0;
const freshDir = () => join(root, `data-${++dirCount}`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function expectOneLine(run: RecurRun, code: number): string {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  return lines[0]!;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'recur-sandbox-gating-'));
  // What anyone can read in the sandbox's banner, its source and the README.
  const sandbox = await startDefaultSandbox({ port: 0, host: '127.0.0.1' });
  published = sandbox.describe().providers as Published;
  await sandbox.stop();
});
afterEach(() => killSpawnedProcesses());
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('recur start with some provider keys and not others', { timeout: 120_000 }, () => {
  it('refuses a live Stripe key alone with one line naming what is missing, before opening anything', async () => {
    const dataDir = freshDir();
    const run = await runRecur(['start'], { cwd: root, env: { RECUR_DATA_DIR: dataDir, PORT: '0', SANDBOX_PORT: '0', STRIPE_SECRET_KEY: LIVE_KEY }, timeoutMs: 60_000 });
    const line = expectOneLine(run, EX_CONFIG);
    expect(line).toMatch(/^recur: configuration error: SENDGRID_API_KEY, TWILIO_ACCOUNT_SID: required beside STRIPE_SECRET_KEY \(missing\); set them, or SANDBOX=off/);
    expect(line).not.toContain(LIVE_KEY);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses SANDBOX=on beside a live Stripe key, whether or not anything is left to emulate', async () => {
    const run = await runRecur(['start'], { cwd: root, env: { RECUR_DATA_DIR: freshDir(), PORT: '0', SANDBOX_PORT: '0', SANDBOX: 'on', STRIPE_SECRET_KEY: LIVE_KEY }, timeoutMs: 60_000 });
    expect(expectOneLine(run, EX_CONFIG)).toMatch(/^recur: configuration error: SANDBOX=on: refused beside a live Stripe key/);
    // Every provider configured: SANDBOX=on would still declare development (a generated link key).
    const complete = { SENDGRID_API_KEY: 'SG.key', SENDGRID_FROM: 'shop@example.nl', TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM: '+3197010000000', SHOP_NAME: 'Sportwinkel' };
    const all = await runRecur(['start'], { cwd: root, env: { RECUR_DATA_DIR: freshDir(), PORT: '0', SANDBOX: 'on', STRIPE_SECRET_KEY: LIVE_KEY, ...complete }, timeoutMs: 60_000 });
    expect(expectOneLine(all, EX_CONFIG)).toMatch(/^recur: configuration error: SANDBOX=on: refused beside a live Stripe key .*\(set SANDBOX=auto or off\)$/);
  });

  it('refuses the sandbox beside a recur that listens on more than loopback', async () => {
    const dataDir = freshDir();
    const run = await runRecur(['start'], { cwd: root, env: { RECUR_DATA_DIR: dataDir, PORT: '0', SANDBOX_PORT: '0', HOST: '0.0.0.0' }, timeoutMs: 60_000 });
    expect(expectOneLine(run, EX_CONFIG)).toMatch(/^recur: configuration error: HOST: the development sandbox runs only beside a recur on loopback .*got "0\.0\.0\.0"/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('with SANDBOX=on (development) emulates only the providers without settings, on loopback, and keeps the sandbox\'s Stripe secret off the real Stripe endpoint', async () => {
    const port = await freePort();
    const server = await startRecur({
      cwd: root,
      env: { RECUR_DATA_DIR: freshDir(), PORT: String(port), SANDBOX: 'on', STRIPE_SECRET_KEY: 'sk_test_recur_gating', STRIPE_WEBHOOK_SECRET: 'whsec_the_shops_own_endpoint_secret', RECONCILE_CRON: 'off' },
      timeoutMs: 120_000,
    });
    expect(server.stderr()).toContain('no keys configured for paypal, sendgrid, twilio: recur uses this sandbox for them');
    const sandboxUrl = /sandbox providers on (http:\/\/\S+) /.exec(server.stderr())![1]!;
    expect(new URL(sandboxUrl).hostname).toBe('127.0.0.1');

    const body = stripeEventBody('evt_signed_with_the_published_secret');
    const forged = await fetch(`${server.url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, published.stripe.webhookSecret, new Date()) }, body });
    expect(forged.status).toBe(400);
    const own = await fetch(`${server.url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, 'whsec_the_shops_own_endpoint_secret', new Date()) }, body });
    expect(own.status).toBe(200);
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});

describe('recur start with every provider configured', { timeout: 120_000 }, () => {
  const allKeys = {
    STRIPE_SECRET_KEY: 'sk_test_recur_gating_all_keys',
    STRIPE_WEBHOOK_SECRET: 'whsec_the_shops_own_endpoint_secret',
    SENDGRID_API_KEY: 'SG.the-shops-own-key',
    SENDGRID_FROM: 'Sportwinkel <service@sportwinkel.test>',
    TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'the-shops-own-twilio-token',
    TWILIO_FROM: '+3197010000000',
    SHOP_NAME: 'Sportwinkel',
    RECONCILE_CRON: 'off',
    NOTICES_CRON: 'off',
  };

  it('refuses to start without LINK_SIGNING_SECRET, with one line', async () => {
    const dataDir = freshDir();
    const run = await runRecur(['start'], { cwd: root, env: { RECUR_DATA_DIR: dataDir, PORT: '0', ...allKeys }, timeoutMs: 60_000 });
    expect(expectOneLine(run, EX_CONFIG)).toMatch(/^recur: configuration error: LINK_SIGNING_SECRET: required with real provider keys/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('runs no emulator: no /sandbox route answers, and the sandbox\'s published Twilio token and Stripe secret are refused', async () => {
    const [port, sandboxPort] = [await freePort(), await freePort()];
    const server = await startRecur({ cwd: root, env: { RECUR_DATA_DIR: freshDir(), PORT: String(port), SANDBOX_PORT: String(sandboxPort), LINK_SIGNING_SECRET, ...allKeys }, timeoutMs: 120_000 });
    expect(server.stderr()).not.toContain('sandbox providers on');

    for (const path of ['/sandbox', '/sandbox/clock', '/sandbox/mail.html', '/sandbox/sms.html', '/sandbox/reset']) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    }
    await expect(fetch(`http://127.0.0.1:${sandboxPort}/sandbox`)).rejects.toThrow();

    const callbackUrl = `${server.url}/webhooks/twilio?outbox_id=00000000-0000-0000-0000-000000000001`;
    const params = { AccountSid: published.twilio.accountSid, MessageSid: `SM${'0'.repeat(32)}`, MessageStatus: 'delivered' };
    const twilio = await fetch(callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(published.twilio.authToken, callbackUrl, params) },
      body: new URLSearchParams(params).toString(),
    });
    expect(twilio.status).toBe(400);
    const body = stripeEventBody('evt_signed_with_the_published_secret');
    const stripe = await fetch(`${server.url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, published.stripe.webhookSecret, new Date()) }, body });
    expect(stripe.status).toBe(400);
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
