import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { countRows, startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const API_KEY = /^rk_[A-Za-z0-9_-]{43}$/;

describe.each(testDatabaseKinds)('API keys API on %s', (kind) => {
  let t: TestApp;
  let suiteKeyId: string;
  beforeAll(async () => {
    t = await startTestApp(kind);
    const listed = await call('GET', '/v1/api-keys');
    suiteKeyId = (listed.json().data as { id: string; name: string }[]).find((key) => key.name === 'test suite')!.id;
  });
  afterAll(() => t.close());

  function call(method: 'GET' | 'POST' | 'DELETE', url: string, options: { auth?: string | null; body?: unknown } = {}) {
    const auth = options.auth === undefined ? t.auth : options.auth;
    return t.app.inject({ method, url, headers: auth ? { authorization: auth } : {}, ...(options.body === undefined ? {} : { payload: options.body as object }) });
  }

  it('creates a key shown once, which then works, stored only as its hash and audit-logged as the creating key', async () => {
    t.clock.advance(60_000);
    const created = await call('POST', '/v1/api-keys', { body: { name: '  webshop backend ' } });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toEqual({
      id: expect.any(String),
      name: 'webshop backend',
      key: expect.stringMatching(API_KEY),
      key_prefix: body.key.slice(0, 9),
      scope: 'admin',
      created_at: '2026-03-01T10:01:00.000Z',
      last_used_at: null,
      revoked_at: null,
    });

    expect((await call('GET', '/v1/plans', { auth: `Bearer ${body.key}` })).statusCode).toBe(200);
    const stored = await t.ctx.db.query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [body.id]);
    expect(stored.rows[0]!.key_hash).toBe(createHash('sha256').update(body.key).digest('hex'));

    const audit = await listAuditEntries(t.ctx.db, 'api_key', body.id);
    expect(audit.map(({ actor, action }) => ({ actor, action }))).toEqual([{ actor: `api_key:${suiteKeyId}`, action: 'create' }]);
    expect(JSON.stringify(audit)).not.toContain(body.key);
  });

  it('lists keys newest first, never with the key or its hash', async () => {
    t.clock.advance(60_000);
    const newer = (await call('POST', '/v1/api-keys', { body: { name: 'reporting' } })).json();
    const listed = await call('GET', '/v1/api-keys');
    expect(listed.statusCode).toBe(200);
    const data = listed.json().data as Record<string, unknown>[];
    expect(data.map((key) => key.name)).toEqual(['reporting', 'webshop backend', 'test suite']);
    expect(Object.keys(data[0]!).sort()).toEqual(['created_at', 'id', 'key_prefix', 'last_used_at', 'name', 'revoked_at', 'scope']);
    expect(listed.body).not.toContain(newer.key);
    expect(listed.body).not.toContain(createHash('sha256').update(newer.key).digest('hex'));
    // The suite's key made this request: its use is recorded, just after the answer.
    await expect.poll(async () => ((await call('GET', '/v1/api-keys')).json().data as Record<string, unknown>[])[2]!.last_used_at).toBe('2026-03-01T10:02:00.000Z');
  });

  it('revokes a key, which then fails with 401, audit-logged as the revoking key', async () => {
    const victim = (await call('POST', '/v1/api-keys', { body: { name: 'old backend' } })).json();
    t.clock.advance(60_000);
    const revoked = await call('DELETE', `/v1/api-keys/${victim.id}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ id: victim.id, name: 'old backend', revoked_at: '2026-03-01T10:03:00.000Z' });
    expect(revoked.json()).not.toHaveProperty('key');

    const refused = await call('GET', '/v1/plans', { auth: `Bearer ${victim.key}` });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toMatchObject({ code: 'unauthorized', message: 'the API key is not valid (unknown or revoked)' });
    // A revoked key cannot make itself new keys either.
    const before = await countRows(t);
    expect((await call('POST', '/v1/api-keys', { auth: `Bearer ${victim.key}`, body: { name: 'comeback' } })).statusCode).toBe(401);
    expect(await countRows(t)).toEqual(before);

    const audit = await listAuditEntries(t.ctx.db, 'api_key', victim.id);
    expect(audit.map(({ actor, action }) => ({ actor, action }))).toEqual([
      { actor: `api_key:${suiteKeyId}`, action: 'create' },
      { actor: `api_key:${suiteKeyId}`, action: 'revoke' },
    ]);
  });

  it('lets a key revoke itself: that request succeeds, the next one is refused', async () => {
    const self = (await call('POST', '/v1/api-keys', { body: { name: 'leaked' } })).json();
    const auth = `Bearer ${self.key}`;
    const revoked = await call('DELETE', `/v1/api-keys/${self.id}`, { auth });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revoked_at).not.toBeNull();
    expect((await call('GET', '/v1/api-keys', { auth })).statusCode).toBe(401);
    expect((await listAuditEntries(t.ctx.db, 'api_key', self.id)).at(-1)).toMatchObject({ actor: `api_key:${self.id}`, action: 'revoke' });
  });

  it('answers 404 for an unknown or already revoked id, and 400 for an id that is not a UUID', async () => {
    const unknown = await call('DELETE', '/v1/api-keys/4f1c2b8e-5d3a-4c7e-9b1f-2a6d8e0c4b7a');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'not_found', message: 'no active API key with id 4f1c2b8e-5d3a-4c7e-9b1f-2a6d8e0c4b7a', requestId: expect.any(String) });

    const victim = (await call('POST', '/v1/api-keys', { body: { name: 'twice' } })).json();
    expect((await call('DELETE', `/v1/api-keys/${victim.id}`)).statusCode).toBe(200);
    const before = await countRows(t);
    const again = await call('DELETE', `/v1/api-keys/${victim.id}`);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('not_found');
    expect(await countRows(t)).toEqual(before);

    const malformed = await call('DELETE', '/v1/api-keys/not-a-key');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('validation_failed');
  });

  it.each<[string, unknown]>([
    ['no name', {}],
    ['an empty name', { name: '   ' }],
    ['a name over 100 characters', { name: 'x'.repeat(101) }],
    ['a name that is not a string', { name: 42 }],
    ['an unknown field', { name: 'ok', scopes: ['all'] }],
    ['a scope that does not exist', { name: 'ok', scope: 'write' }],
  ])('refuses a body with %s and writes nothing', async (_case, body) => {
    const before = await countRows(t);
    const refused = await call('POST', '/v1/api-keys', { body });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('validation_failed');
    expect(await countRows(t)).toEqual(before);
  });

  it('refuses every route without a key, with a wrong key and with a malformed header', async () => {
    const before = await countRows(t);
    for (const auth of [null, 'Bearer rk_' + 'A'.repeat(43), 'Basic dXNlcjpwYXNz']) {
      expect((await call('GET', '/v1/api-keys', { auth })).statusCode).toBe(401);
      expect((await call('POST', '/v1/api-keys', { auth, body: { name: 'intruder' } })).statusCode).toBe(401);
      expect((await call('DELETE', `/v1/api-keys/${suiteKeyId}`, { auth })).statusCode).toBe(401);
    }
    expect(await countRows(t)).toEqual(before);
    expect((await call('GET', '/v1/plans')).statusCode).toBe(200);
  });

  it('describes the three routes and their answers in the OpenAPI document', async () => {
    const paths = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths;
    expect(Object.keys(paths['/v1/api-keys']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/v1/api-keys/{id}'])).toEqual(['delete']);
    expect(Object.keys(paths['/v1/api-keys'].post.responses).sort()).toEqual(['201', '400', '401']);
    expect(paths['/v1/api-keys'].post.responses['201'].content['application/json'].schema.required).toContain('key');
    expect(Object.keys(paths['/v1/api-keys/{id}'].delete.responses).sort()).toEqual(['200', '400', '401', '404']);
  });
});
