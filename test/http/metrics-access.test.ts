import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const METRICS_TOKEN = 'scrape-token-of-at-least-32-characters-0001';

describe('/metrics on the public port', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('is a 404 in the error shape while METRICS_TOKEN is unset', async () => {
    t = await startTestApp('pglite');
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({ code: 'route_not_found', requestId: response.headers['x-request-id'] });
    expect(response.body).not.toContain('nodejs_version_info');
    // An admin API key is not the metrics token.
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: t.auth } })).statusCode).toBe(404);
  });

  it('answers 401 without the token or with another, and the metrics with it', async () => {
    t = await startTestApp('pglite', { settings: { METRICS_TOKEN } });
    for (const authorization of [undefined, 'Bearer wrong-token', `Bearer ${METRICS_TOKEN}x`, t.auth, METRICS_TOKEN]) {
      const refused = await t.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(refused.statusCode, String(authorization)).toBe(401);
      expect(refused.json().error).toMatchObject({ code: 'unauthorized', requestId: refused.headers['x-request-id'] });
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    const scraped = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain('nodejs_version_info');
  });
});
