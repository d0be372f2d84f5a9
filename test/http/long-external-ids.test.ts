import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

// The longest external id the API takes: a customer created with it must be readable, checkable
// and bannable by it, since every one of those routes has it in the path.
const LIMIT = 200;
const idOfLength = (length: number) => `shop:${'k'.repeat(length - 'shop:@example.nl'.length)}@example.nl`;

describe.each(testDatabaseKinds)('external ids at the length limit, on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => t.app.inject({ method, url, headers: { authorization: t.auth }, ...(payload ? { payload } : {}) });

  it(`takes one limit in bodies and paths: an id of ${LIMIT} characters (as is or percent-encoded) is created, read, checked and banned; one more is refused`, async () => {
    const id = idOfLength(LIMIT);
    expect(id).toHaveLength(LIMIT);
    expect((await api('POST', '/v1/customers', { external_id: id, email: 'long.id@example.nl' })).statusCode).toBe(201);

    for (const inPath of [id, encodeURIComponent(id)]) {
      const read = await api('GET', `/v1/customers/${inPath}`);
      expect(read.statusCode).toBe(200);
      expect(read.json().external_id).toBe(id);
      const entitlement = await api('GET', `/v1/customers/${inPath}/entitlement`);
      expect(entitlement.statusCode).toBe(200);
      expect(entitlement.json()).toMatchObject({ customer: id, entitled: false, reason: 'no_subscription' });
    }
    const banned = await api('PATCH', `/v1/customers/${encodeURIComponent(id)}`, { banned: true, banned_reason: 'chargebacks' });
    expect(banned.statusCode).toBe(200);
    expect(banned.json()).toMatchObject({ external_id: id, banned: true });
    expect((await api('GET', `/v1/customers/${id}/entitlement`)).json()).toMatchObject({ entitled: false, reason: 'banned' });
    const subscriptions = await api('GET', `/v1/subscriptions?customer=${encodeURIComponent(id)}`);
    expect(subscriptions.statusCode).toBe(200);

    // One character more is refused at creation, so no customer exists that its routes cannot reach.
    const tooLong = idOfLength(LIMIT + 1);
    const created = await api('POST', '/v1/customers', { external_id: tooLong, email: 'too.long@example.nl' });
    expect(created.statusCode).toBe(400);
    expect(created.json().error).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('body.external_id') });
    // In a path the router itself refuses it, before any route runs.
    const inPath = await api('GET', `/v1/customers/${tooLong}`);
    expect(inPath.statusCode).toBe(414);
    expect(inPath.json().error.code).toBe('uri_too_long');
    expect(inPath.body).not.toContain('kkkk');
  });
});
