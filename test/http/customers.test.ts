import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { countRows, startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

describe.each(testDatabaseKinds)('customers API on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/customers', headers: { authorization: t.auth, ...headers }, payload: body as object });

  it('creates a customer and reads it back by the shop id', async () => {
    const created = await post({ external_id: 'shop-1001', email: 'anna@example.nl', name: 'Anna de Vries', phone: '+31612345678', locale: 'nl' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ external_id: 'shop-1001', email: 'anna@example.nl', locale: 'nl', banned: false, created_at: '2026-03-01T10:00:00.000Z' });

    const read = await t.app.inject({ method: 'GET', url: '/v1/customers/shop-1001', headers: { authorization: t.auth } });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created.json());
  });

  it('uses the configured default locale when none is given', async () => {
    const created = await post({ external_id: 'shop-1002', email: 'bram@example.nl' });
    expect(created.json().locale).toBe('nl');
  });

  it('refuses a second customer with the same shop id and keeps the first', async () => {
    const before = await countRows(t);
    const duplicate = await post({ external_id: 'shop-1001', email: 'other@example.com' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.code).toBe('conflict');
    expect(await countRows(t)).toEqual(before);
    const read = await t.app.inject({ method: 'GET', url: '/v1/customers/shop-1001', headers: { authorization: t.auth } });
    expect(read.json().email).toBe('anna@example.nl');
  });

  it('updates contact details and records before and after in the audit log', async () => {
    t.clock.advance(60_000);
    const updated = await t.app.inject({
      method: 'PATCH',
      url: '/v1/customers/shop-1001',
      headers: { authorization: t.auth },
      payload: { email: 'anna.devries@example.nl', phone: null },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ email: 'anna.devries@example.nl', phone: null, name: 'Anna de Vries', updated_at: '2026-03-01T10:01:00.000Z' });

    const audit = await listAuditEntries(t.ctx.db, 'customer', updated.json().id);
    expect(audit.map((entry) => entry.action)).toEqual(['create', 'update']);
    expect(audit[1]!.actor).toMatch(/^api_key:/);
    expect(audit[1]!.before).toMatchObject({ email: 'anna@example.nl' });
    expect(audit[1]!.after).toMatchObject({ email: 'anna.devries@example.nl' });
  });

  it('bans with a reason and unbans', async () => {
    const noReason = await t.app.inject({ method: 'PATCH', url: '/v1/customers/shop-1002', headers: { authorization: t.auth }, payload: { banned: true } });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.message).toContain('banned_reason');

    const banned = await t.app.inject({
      method: 'PATCH',
      url: '/v1/customers/shop-1002',
      headers: { authorization: t.auth },
      payload: { banned: true, banned_reason: 'three disputes in one month' },
    });
    expect(banned.json()).toMatchObject({ banned: true, banned_reason: 'three disputes in one month', banned_at: t.clock.now().toISOString() });

    const unbanned = await t.app.inject({ method: 'PATCH', url: '/v1/customers/shop-1002', headers: { authorization: t.auth }, payload: { banned: false } });
    expect(unbanned.json()).toMatchObject({ banned: false, banned_reason: null, banned_at: null });
    const audit = await listAuditEntries(t.ctx.db, 'customer', banned.json().id);
    expect(audit.map((entry) => entry.action)).toEqual(['create', 'ban', 'unban']);
  });

  it('answers 404 for an unknown customer', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/customers/nobody', headers: { authorization: t.auth } });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({ code: 'not_found', requestId: response.headers['x-request-id'] });
  });

  describe('bad input gets a clear error and changes nothing', () => {
    const cases: [string, () => Promise<{ statusCode: number; json(): { error: { code: string; message: string } } }>, number, string, RegExp][] = [
      [
        'malformed JSON',
        () => t.app.inject({ method: 'POST', url: '/v1/customers', headers: { authorization: t.auth, 'content-type': 'application/json' }, payload: '{"external_id": "x",' }),
        400,
        'malformed_json',
        /JSON/,
      ],
      [
        'an empty JSON body',
        () => t.app.inject({ method: 'POST', url: '/v1/customers', headers: { authorization: t.auth, 'content-type': 'application/json' }, payload: '' }),
        400,
        'malformed_json',
        /empty/,
      ],
      ['a wrong type', () => post({ external_id: 42, email: 'x@example.com' }), 400, 'validation_failed', /body\.external_id/],
      ['an invalid e-mail', () => post({ external_id: 'shop-2', email: 'not-an-email' }), 400, 'validation_failed', /body\.email/],
      ['an unknown field', () => post({ external_id: 'shop-2', email: 'x@example.com', plan: 'gold' }), 400, 'validation_failed', /plan/],
      ['a missing field', () => post({ external_id: 'shop-2' }), 400, 'validation_failed', /body\.email/],
      ['a phone that is not E.164', () => post({ external_id: 'shop-2', email: 'x@example.com', phone: '0612345678' }), 400, 'validation_failed', /E\.164/],
      [
        'a __proto__ key',
        () => t.app.inject({ method: 'POST', url: '/v1/customers', headers: { authorization: t.auth, 'content-type': 'application/json' }, payload: '{"external_id":"shop-2","email":"x@example.com","__proto__":{"admin":true}}' }),
        400,
        'malformed_json',
        /./,
      ],
      [
        'a body that is not JSON',
        () => t.app.inject({ method: 'POST', url: '/v1/customers', headers: { authorization: t.auth, 'content-type': 'text/plain' }, payload: 'external_id=shop-2' }),
        415,
        'unsupported_media_type',
        /application\/json/,
      ],
      [
        'a body over the size limit',
        () => post({ external_id: 'shop-2', email: 'x@example.com', name: 'x'.repeat(70 * 1024) }),
        413,
        'payload_too_large',
        /larger/,
      ],
      ['an empty update', () => t.app.inject({ method: 'PATCH', url: '/v1/customers/shop-1001', headers: { authorization: t.auth }, payload: {} }), 400, 'validation_failed', /at least one/],
      ['a shop id with a slash-like character', () => t.app.inject({ method: 'GET', url: '/v1/customers/a%20b', headers: { authorization: t.auth } }), 400, 'validation_failed', /params\.id/],
    ];

    it.each(cases)('%s', async (_name, send, status, code, message) => {
      const before = await countRows(t);
      const response = await send();
      expect(response.statusCode).toBe(status);
      const body = response.json();
      expect(Object.keys(body)).toEqual(['error']);
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'requestId']);
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(message);
      expect(await countRows(t)).toEqual(before);
    });
  });

  describe('authentication', () => {
    it.each([
      ['no Authorization header', undefined, /send an API key/],
      ['a key in the wrong scheme', 'Basic dXNlcjpwYXNz', /not "Bearer <key>"/],
      ['a made-up key', `Bearer rk_${'A'.repeat(43)}`, /not valid/],
      ['a truncated real key', 'TRUNCATE', /not "Bearer <key>"/],
    ])('refuses %s with 401 and changes nothing', async (_name, header, message) => {
      const before = await countRows(t);
      const authorization = header === 'TRUNCATE' ? t.auth.slice(0, -3) : header;
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/customers',
        headers: authorization ? { authorization } : {},
        payload: { external_id: 'intruder', email: 'x@example.com' },
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toContain('Bearer');
      expect(response.json().error.code).toBe('unauthorized');
      expect(response.json().error.message).toMatch(message);
      expect(await countRows(t)).toEqual(before);
    });

    // Revoked through this process: refused at once (another process's revocation: test/http/api-key-cache.test.ts).
    it('refuses a revoked key', async () => {
      const keyId = (await t.ctx.db.query<{ id: string }>("SELECT id FROM api_keys WHERE name = 'test suite'")).rows[0]!.id;
      expect((await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${keyId}`, headers: { authorization: t.auth } })).statusCode).toBe(200);
      const response = await t.app.inject({ method: 'GET', url: '/v1/customers/shop-1001', headers: { authorization: t.auth } });
      expect(response.statusCode).toBe(401);
      await t.ctx.db.query('UPDATE api_keys SET revoked_at = NULL WHERE id = $1', [keyId]);
    });
  });
});
