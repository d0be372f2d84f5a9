import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../../src/db/migrate.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const METRICS_TOKEN = 'metrics-token-for-the-scraper-0123456789';
const scraper = { authorization: `Bearer ${METRICS_TOKEN}` };

describe('health, metrics, request ids, logs and API docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { settings: { METRICS_TOKEN } });
  });
  afterAll(() => t.close());

  it('answers /healthz and /readyz without a key', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', schema_version: listMigrations().at(-1)!.version });
  });

  it('reports not ready while the schema is behind, and ready again once migrated', async () => {
    const latest = listMigrations().at(-1)!;
    await t.ctx.db.query('DELETE FROM schema_migrations WHERE version = $1', [latest.version]);
    const notReady = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().error).toMatchObject({ code: 'not_ready', message: expect.stringContaining('recur migrate') });
    await t.ctx.db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [latest.version, latest.name]);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('gives every response a request id, keeping a well-formed one from the caller', async () => {
    const generated = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await t.app.inject({ method: 'GET', url: '/v1/plans', headers: { 'x-request-id': 'shop-req-0001' } });
    expect(kept.headers['x-request-id']).toBe('shop-req-0001');
    expect(kept.json().error.requestId).toBe('shop-req-0001');
    const replaced = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\nwith newline' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes in the error shape', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/nothing-here?token=secret' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({ code: 'route_not_found', message: 'no route GET /v1/nothing-here' });
  });

  it('counts requests per route pattern in Prometheus format', async () => {
    await t.app.inject({ method: 'GET', url: '/v1/customers/anyone', headers: { authorization: t.auth } });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: scraper });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
    expect(metrics.body).toMatch(/recur_http_requests_total\{method="GET",route="\/v1\/customers\/:id",status="404"\} 1/);
    expect(metrics.body).toMatch(/recur_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz",status="200"\} \d+/);
  });

  it('writes structured JSON logs with the request id, and never the API key or query string', async () => {
    const key = t.auth.slice('Bearer '.length);
    await t.app.inject({ method: 'GET', url: '/v1/customers/anyone?session_id=cs_secret_123', headers: { authorization: t.auth, 'x-request-id': 'trace-me-42' } });
    const lines = t.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const line = lines.find((entry) => entry.requestId === 'trace-me-42');
    expect(line).toMatchObject({ level: 30, msg: 'request', method: 'GET', route: '/v1/customers/:id', status: 404 });
    expect(line).not.toHaveProperty('path');
    const everything = t.logLines.join('\n');
    expect(everything).not.toContain(key);
    expect(everything).not.toContain('cs_secret_123');
  });

  it('logs health checks and metric scrapes at debug, and a failing one at info', async () => {
    const logged = (requestId: string) => t.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.requestId === requestId);
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      await t.app.inject({ method: 'GET', url, headers: { 'x-request-id': `probe-${url.slice(1)}`, ...scraper } });
      expect(logged(`probe-${url.slice(1)}`), url).toMatchObject({ level: 20, msg: 'request', route: url, status: 200 });
    }
    await t.app.inject({ method: 'GET', url: '/v1/plans', headers: { 'x-request-id': 'api-call' } });
    expect(logged('api-call')).toMatchObject({ level: 30, route: '/v1/plans', status: 401 });

    const latest = listMigrations().at(-1)!;
    await t.ctx.db.query('DELETE FROM schema_migrations WHERE version = $1', [latest.version]);
    await t.app.inject({ method: 'GET', url: '/readyz', headers: { 'x-request-id': 'probe-failing' } });
    await t.ctx.db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [latest.version, latest.name]);
    expect(logged('probe-failing')).toMatchObject({ level: 30, route: '/readyz', status: 503 });
  });

  it('serves an OpenAPI document of every route, with the bearer scheme, and the docs page', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual(
      ['/healthz', '/readyz', '/v1/customers', '/v1/customers/{id}', '/v1/customers/{id}/entitlement', '/v1/customers/{id}/prepaid-periods', '/v1/plans', '/v1/subscriptions', '/v1/subscriptions/{id}', '/v1/webhook-events', '/v1/webhook-events/{id}/replay', '/v1/checkout', '/checkout/stripe/return', '/checkout/paypal/return', '/v1/reconciliation/runs', '/v1/reconciliation/runs/{id}', '/v1/reconciliation/runs/{id}/items', '/v1/payments', '/v1/payments/{id}/refunds', '/v1/subscriptions/{id}/switch', '/v1/subscriptions/{id}/switch/preview', '/v1/subscriptions/{id}/cancel', '/v1/subscriptions/{id}/resume', '/v1/customers/{id}/auto-renew', '/v1/customers/{id}/billing-portal', '/links/cancel', '/links/payment-method', '/links/done', '/metrics', '/webhooks/{provider}', '/webhooks/sendgrid', '/webhooks/twilio', '/v1/notifications', '/v1/notifications/{id}', '/v1/notifications/{id}/retry', '/v1/api-keys', '/v1/api-keys/{id}', '/v1/webhook-endpoints', '/v1/webhook-endpoints/{id}', '/v1/webhook-endpoints/{id}/rotate-secret', '/v1/webhook-endpoints/{id}/deliveries', '/v1/webhook-endpoints/{id}/replay', '/v1/webhook-deliveries/{id}/retry', '/v1/customers/{id}/portal-sessions'].sort(),
    );
    expect(document.components.securitySchemes.adminApiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ adminApiKey: [] }]);
    expect(document.paths['/healthz'].get.security).toEqual([]);
    expect(document.paths['/v1/customers'].post.requestBody.content['application/json'].schema.required).toEqual(['external_id', 'email']);
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
  });
});
