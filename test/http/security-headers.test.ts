import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLinkToken } from '../../src/notifications/link-token.ts';
import type { MessagingContext } from '../../src/services/service-context.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { listenOnLoopback } from '../support/raw-http.ts';

const LINK_SECRET = 'security-headers-test-secret-32-characters';
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded', ...HTML };

type Answer = { statusCode: number; headers: Record<string, unknown>; body: string };

/** What every HTML answer must carry: no framing by another site, no content sniffing, a policy. */
function expectPageHeaders(answer: Answer): string {
  expect(answer.headers['content-type']).toMatch(/^text\/html/);
  const policy = String(answer.headers['content-security-policy'] ?? '');
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toMatch(/default-src '(none|self)'/);
  expect(answer.headers['x-frame-options']).toBe('DENY');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  return policy;
}

describe('security headers on every HTML answer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    const messaging: MessagingContext = { email: null, sms: null, emailCallbacks: null, smsCallbacks: null, publicBaseUrl: 'http://recur.test', linkSecret: LINK_SECRET };
    t.ctx.messaging = messaging;
  });
  afterAll(() => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: HTML });
  // Signed for a subscription recur does not have: the page that says so.
  const unknownSubscriptionToken = () => signLinkToken(LINK_SECRET, { purpose: 'cancel', subscriptionId: '00000000-0000-4000-8000-000000000000', expiresAt: new Date(t.clock.now().getTime() + 3_600_000) });

  it.each([
    ['the checkout return error page', () => get('/checkout/stripe/return?session_id=cs_test_unknown')],
    ['the checkout return page for a malformed session id', () => get('/checkout/stripe/return?session_id=nonsense')],
    ['the cancel link page for a damaged token', () => get('/links/cancel?token=damaged')],
    ['the cancel link page for a subscription recur does not have', () => get(`/links/cancel?token=${encodeURIComponent(unknownSubscriptionToken())}`)],
    ["the cancel link's button with a damaged token", () => t.app.inject({ method: 'POST', url: '/links/cancel', headers: FORM, payload: 'token=damaged' })],
    ['the payment-method link page for a damaged token', () => get('/links/payment-method?token=damaged')],
    ['the page the billing portal returns to', () => get('/links/done')],
  ])('%s', async (_name, request) => {
    const policy = expectPageHeaders(await request());
    // recur's own pages load nothing and post only to themselves.
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("form-action 'self'");
  });

  it('the API docs (swagger-ui), with a policy that lets its own scripts run', async () => {
    for (const url of ['/docs', '/docs/']) {
      const answer = await get(url);
      expect(answer.statusCode, url).toBe(200);
      expect(expectPageHeaders(answer), url).toContain("script-src 'self'");
    }
  });
});

const CHROMIUM = '/usr/bin/chromium';
const browserMissing = !existsSync(CHROMIUM) && process.env.RECUR_BROWSER_TESTS !== 'required';

describe.skipIf(browserMissing)('the API docs in a real browser, under their security headers', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    port = await listenOnLoopback(t.app);
  });
  afterAll(() => t.close());

  it('render the operations of recur, with no policy violation', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      const response = await page.goto(`http://127.0.0.1:${port}/docs/`);
      expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      await page.waitForSelector('.swagger-ui .info .title', { timeout: 15_000 });
      expect(await page.textContent('.swagger-ui .info .title')).toContain('recur API');
      await page.waitForSelector('.opblock-summary-path', { timeout: 15_000 });
      expect(await page.locator('.opblock-summary-path').count()).toBeGreaterThan(20);
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
