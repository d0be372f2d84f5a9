import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

// PostgreSQL text cannot hold U+0000, and a lone surrogate has no UTF-8 form: both must be a 400
// at the door, in recur's error shape, for any text field of any route.
describe.each(testDatabaseKinds)('text PostgreSQL cannot store, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    const created = await json('POST', '/v1/customers', { external_id: 'shop-nul-1', email: 'sanne.bakker@example.nl', name: 'Sanne Bakker' });
    expect(created.statusCode).toBe(201);
  });
  afterAll(() => t.close());

  function json(method: 'POST' | 'PATCH' | 'GET', url: string, body?: unknown) {
    return t.app.inject({ method, url, headers: { authorization: t.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }) });
  }

  const nulCases: [string, 'POST' | 'PATCH', string, unknown, string][] = [
    ["a customer's name at creation", 'POST', '/v1/customers', { external_id: 'shop-nul-2', email: 'bram@example.nl', name: 'Bram\u0000de Boer' }, 'body.name'],
    ["a customer's new name", 'PATCH', '/v1/customers/shop-nul-1', { name: 'Sanne\u0000' }, 'body.name'],
    ['a ban reason', 'PATCH', '/v1/customers/shop-nul-1', { banned: true, banned_reason: 'chargebacks\u0000' }, 'body.banned_reason'],
    ["an API key's name", 'POST', '/v1/api-keys', { name: 'webshop\u0000backend' }, 'body.name'],
  ];
  it.each(nulCases)('refuses U+0000 in %s with a 400 and writes nothing', async (_what, method, url, body, field) => {
    const before = await countRows(t);
    const response = await json(method, url, body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', message: `${field}: contains U+0000, which cannot be stored`, requestId: response.headers['x-request-id'] });
    expect(await countRows(t)).toEqual(before);
    const customer = await json('GET', '/v1/customers/shop-nul-1');
    expect(customer.json()).toMatchObject({ name: 'Sanne Bakker', banned: false });
    expect(t.logLines.some((line) => JSON.parse(line).level >= 50)).toBe(false);
  });

  it('refuses a lone surrogate, which would be stored as another character', async () => {
    // JSON.stringify keeps a lone surrogate as the escape \ud800, as a client would send it.
    const body = JSON.stringify({ external_id: 'shop-nul-3', email: 'lotte@example.nl', name: 'Lotte \ud800 Visser' });
    expect(body).toContain('\\ud800');
    const response = await json('POST', '/v1/customers', body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', message: 'body.name: contains a lone surrogate (U+D800), which cannot be stored' });
    expect((await json('GET', '/v1/customers/shop-nul-3')).statusCode).toBe(404);

    const trailing = await json('PATCH', '/v1/customers/shop-nul-1', JSON.stringify({ name: 'Sanne \udc00' }));
    expect(trailing.json().error.message).toBe('body.name: contains a lone surrogate (U+DC00), which cannot be stored');
    // A surrogate pair is one character (an emoji) and is stored as sent.
    const emoji = await json('PATCH', '/v1/customers/shop-nul-1', { name: 'Sanne \ud83d\ude00' });
    expect(emoji.statusCode).toBe(200);
    expect(emoji.json().name).toBe('Sanne \u{1F600}');
  });

  it('checks path parameters, query strings and keys the same way, naming the part', async () => {
    const inPath = await json('GET', '/v1/customers/shop%00nul');
    expect(inPath.statusCode).toBe(400);
    expect(inPath.json().error.message).toBe('params.id: contains U+0000, which cannot be stored');
    const inQuery = await json('GET', '/v1/subscriptions?customer=shop%00nul');
    expect(inQuery.statusCode).toBe(400);
    expect(inQuery.json().error.message).toBe('querystring.customer: contains U+0000, which cannot be stored');
    const inKey = await json('PATCH', '/v1/customers/shop-nul-1', '{"na\\u0000me": "x"}');
    expect(inKey.statusCode).toBe(400);
    expect(inKey.json().error.message).toBe('body.na\ufffdme: contains U+0000, which cannot be stored');
    // A route whose form body has no JSON parser: the notice link's POST.
    const inForm = await t.app.inject({ method: 'POST', url: '/links/cancel', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'token=abc%00def' });
    expect(inForm.statusCode).toBe(400);
    expect(inForm.json().error).toMatchObject({ code: 'validation_failed', message: 'body.token: contains U+0000, which cannot be stored' });
  });
});
