import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

type LogLine = Record<string, unknown> & { err?: Record<string, unknown> };

const METRICS_TOKEN = 'metrics-token-for-the-log-privacy-test-0123';

describe.each(testDatabaseKinds)('what the logs never hold, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { settings: { METRICS_TOKEN } });
    // Two failures the database itself raises about a row, as a schema drift or a bug would: a
    // violated check (PostgreSQL's detail lists the failing row) and a cast of the e-mail
    // (the message itself quotes the value).
    await t.ctx.db.exec(`
      ALTER TABLE customers ADD CONSTRAINT probe_no_blocked_name CHECK (name IS DISTINCT FROM 'Blocked Name');
      ALTER TABLE customers ADD CONSTRAINT probe_cast CHECK (name IS DISTINCT FROM 'Cast Name' OR email::uuid IS NOT NULL);
    `);
  });
  afterAll(() => t.close());

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, requestId?: string) =>
    t.app.inject({ method, url, headers: { authorization: t.auth, ...(requestId ? { 'x-request-id': requestId } : {}) }, ...(payload ? { payload } : {}) });
  const linesOf = (requestId: string): LogLine[] => t.logLines.map((line) => JSON.parse(line) as LogLine).filter((line) => line.requestId === requestId);

  it.each([
    ['a violated check constraint', 'Blocked Name', 'probe_no_blocked_name', '23514'],
    ['a cast that quotes the value', 'Cast Name', null, '22P02'],
  ])('logs a database error through HTTP with its code and names, never the statement or the data (%s)', async (_what, name, constraint, code) => {
    const requestId = `db-error-${code}-probe`;
    const response = await api('POST', '/v1/customers', { external_id: 'shop-7781', email: 'marieke.kok@example.nl', name }, requestId);
    expect(response.statusCode).toBe(500);
    expect(response.json().error).toMatchObject({ code: 'internal_error', requestId });

    const failure = linesOf(requestId).find((line) => line.msg === 'request failed');
    expect(failure?.err).toMatchObject({ code, ...(constraint ? { constraint } : {}) });
    for (const field of ['query', 'params', 'detail', 'where']) expect(failure?.err, field).not.toHaveProperty(field);
    const logged = linesOf(requestId).map((line) => JSON.stringify(line)).join('\n');
    expect(logged).not.toContain('marieke.kok');
    expect(logged).not.toContain('shop-7781');
    expect(logged).not.toContain(name);
    expect(logged).not.toMatch(/INSERT|VALUES|\$1/);
  });

  it('logs route patterns, never paths or query strings, and counts metrics by pattern', async () => {
    const id = 'anna.jansen@example.nl';
    expect((await api('POST', '/v1/customers', { external_id: id, email: 'anna@example.nl' })).statusCode).toBe(201);
    expect((await api('GET', `/v1/customers/${id}`, undefined, 'read-by-email-id')).statusCode).toBe(200);
    expect((await api('GET', `/v1/customers/${encodeURIComponent(id)}/entitlement?probe=tok_secret_4711`, undefined, 'entitlement-by-email-id')).statusCode).toBe(200);
    expect((await api('PATCH', `/v1/customers/${id}`, { name: 'Anna Jansen' })).statusCode).toBe(200);
    await t.app.inject({ method: 'GET', url: '/links/cancel?token=tok_secret_4712', headers: { 'x-request-id': 'link-probe-0001' } });
    await t.app.inject({ method: 'GET', url: `/v1/no-such-route/${id}?token=tok_secret_4713`, headers: { 'x-request-id': 'unmatched-probe-1' } });

    expect(linesOf('read-by-email-id')).toEqual([expect.objectContaining({ msg: 'request', method: 'GET', route: '/v1/customers/:id', status: 200 })]);
    expect(linesOf('entitlement-by-email-id')).toEqual([expect.objectContaining({ route: '/v1/customers/:id/entitlement', status: 200 })]);
    expect(linesOf('link-probe-0001')).toContainEqual(expect.objectContaining({ msg: 'request', route: '/links/cancel' }));
    expect(linesOf('unmatched-probe-1')).toEqual([expect.objectContaining({ route: 'unmatched', status: 404 })]);
    const everything = t.logLines.join('\n');
    expect(everything).not.toContain('anna.jansen');
    expect(everything).not.toContain('anna%40');
    expect(everything).not.toMatch(/tok_secret_471\d/);

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.body).toMatch(/recur_http_requests_total\{method="GET",route="\/v1\/customers\/:id",status="200"\} 1/);
    expect(metrics.body).toContain('route="unmatched"');
    expect(metrics.body).not.toContain('anna.jansen');
    expect(metrics.body).not.toContain('tok_secret');
  });
});
