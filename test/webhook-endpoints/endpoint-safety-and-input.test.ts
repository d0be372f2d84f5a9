import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insertEventCustomer, recordEvent, runDeliveryJob, testOutgoingWebhooks } from '../support/outgoing-webhooks.ts';
import { startShopReceiver } from '../support/shop-receiver.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

describe.each(testDatabaseKinds)('webhook endpoint targets and input (%s)', (kind) => {
  let t: TestApp;
  let hooks: ReturnType<typeof testOutgoingWebhooks>;
  let customer: string;
  const receivers: Awaited<ReturnType<typeof startShopReceiver>>[] = [];

  beforeAll(async () => {
    hooks = testOutgoingWebhooks({ allowPrivateTargets: false });
    t = await startTestApp(kind, { outgoingWebhooks: hooks });
    customer = await insertEventCustomer(t, 'shop-dirk');
  });
  afterEach(async () => {
    hooks.allowPrivateTargets = false;
    hooks.hosts.clear();
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
    await t.ctx.db.query('DELETE FROM webhook_endpoints');
  });
  afterAll(() => t.close());

  const request = (method: 'POST' | 'GET' | 'PATCH' | 'DELETE', url: string, payload?: unknown, auth: string | null = t.auth) =>
    t.app.inject({ method, url, headers: auth ? { authorization: auth } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
  const receiver = async (options: Parameters<typeof startShopReceiver>[0] = {}) => {
    const started = await startShopReceiver(options);
    receivers.push(started);
    return started;
  };
  const written = async () => {
    const result = await t.ctx.db.query<{ endpoints: number; audit: number }>(
      "SELECT (SELECT count(*) FROM webhook_endpoints)::int AS endpoints, (SELECT count(*) FROM audit_log WHERE entity = 'webhook_endpoint')::int AS audit",
    );
    return result.rows[0]!;
  };

  // 93.184.216.34 below is a public address (example.com's, long standing): endpoints are saved
  // with it, and nothing is ever delivered to it (deliveries here go to receivers on loopback).
  it.each([
    'http://127.0.0.1/hooks',
    'http://10.0.0.1/hooks',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]:4000/hooks',
    'https://[::ffff:192.168.1.5]/hooks',
    'http://0.0.0.0/',
    // Loopback through the NAT64 prefix, and the benchmarking network.
    'http://[64:ff9b::7f00:1]/',
    'http://198.18.0.1/',
  ])(
    'refuses the target %s without the setting, writing nothing',
    async (url) => {
      const before = await written();
      const response = await request('POST', '/v1/webhook-endpoints', { url, event_types: ['*'] });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('webhook_target_forbidden');
      expect(response.json().error.message).toMatch(/WEBHOOK_ENDPOINTS_ALLOW_PRIVATE_TARGETS/);
      expect(await written()).toEqual(before);
    },
  );

  it('refuses a host name that resolves to a private address, and one that does not resolve', async () => {
    hooks.hosts.set('intranet.shop.test', '192.168.10.20');
    const privateHost = await request('POST', '/v1/webhook-endpoints', { url: 'https://intranet.shop.test/hooks', event_types: ['*'] });
    expect(privateHost.statusCode).toBe(400);
    expect(privateHost.json().error).toMatchObject({ code: 'webhook_target_forbidden', message: expect.stringContaining('192.168.10.20, a private address') });
    const nowhere = await request('POST', '/v1/webhook-endpoints', { url: 'https://nowhere.shop.test/hooks', event_types: ['*'] });
    expect(nowhere.statusCode).toBe(400);
    expect(nowhere.json().error.code).toBe('webhook_target_unresolvable');
    const patchTarget = (await request('POST', '/v1/webhook-endpoints', { url: 'https://93.184.216.34/hooks', event_types: ['*'] })).json();
    const patched = await request('PATCH', `/v1/webhook-endpoints/${patchTarget.id}`, { url: 'http://169.254.169.254/' });
    expect(patched.json().error.code).toBe('webhook_target_forbidden');
    expect((await request('GET', `/v1/webhook-endpoints/${patchTarget.id}`)).json().url).toBe('https://93.184.216.34/hooks');
  });

  it('checks the target again at delivery: a host that now resolves to loopback gets nothing', async () => {
    const shop = await receiver();
    hooks.hosts.set('hooks.shop.test', '93.184.216.34');
    const { id } = (await request('POST', '/v1/webhook-endpoints', { url: `http://hooks.shop.test:${shop.port}/hooks`, event_types: ['*'] })).json();
    hooks.hosts.set('hooks.shop.test', '127.0.0.1');
    t.clock.advance(1000);
    await recordEvent(t, customer, 'customer.updated', { id: customer });
    await runDeliveryJob(t);
    expect(shop.requests).toHaveLength(0);
    const [delivery] = (await request('GET', `/v1/webhook-endpoints/${id}/deliveries`)).json().data;
    expect(delivery).toMatchObject({ status: 'pending', last_status_code: null, last_error: expect.stringMatching(/^webhook_target_forbidden: .*127\.0\.0\.1, a loopback address/) });
  });

  it('connects to the address it checked, not to a second lookup of the name', async () => {
    hooks.allowPrivateTargets = true;
    const shop = await receiver();
    // Only recur's resolver knows this name; the system's would not find it.
    hooks.hosts.set('pinned.shop.test', '127.0.0.1');
    await request('POST', '/v1/webhook-endpoints', { url: `http://pinned.shop.test:${shop.port}/hooks`, event_types: ['*'] });
    t.clock.advance(1000);
    await recordEvent(t, customer, 'customer.updated', { id: customer });
    await runDeliveryJob(t);
    expect(shop.accepted()).toHaveLength(1);
    expect(shop.requests[0]!.headers.host).toBe(`pinned.shop.test:${shop.port}`);
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    hooks.allowPrivateTargets = true;
    const elsewhere = await receiver();
    const redirecting = await receiver({ redirectTo: elsewhere.url });
    redirecting.setMode('redirect');
    const { id } = (await request('POST', '/v1/webhook-endpoints', { url: redirecting.url, event_types: ['*'] })).json();
    t.clock.advance(1000);
    await recordEvent(t, customer, 'customer.updated', { id: customer });
    await runDeliveryJob(t);
    expect(redirecting.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
    const [delivery] = (await request('GET', `/v1/webhook-endpoints/${id}/deliveries`)).json().data;
    expect(delivery).toMatchObject({ status: 'pending', last_status_code: 302, last_error: 'HTTP 302: redirects are not followed' });
  });

  it.each([
    ['an unknown event type', { url: 'https://93.184.216.34/hooks', event_types: ['subscription.exploded'] }],
    ['"*" beside types', { url: 'https://93.184.216.34/hooks', event_types: ['*', 'payment.failed'] }],
    ['no event types', { url: 'https://93.184.216.34/hooks', event_types: [] }],
    ['a non-http URL', { url: 'ftp://93.184.216.34/hooks', event_types: ['*'] }],
    ['a javascript: URL', { url: 'javascript:alert(1)', event_types: ['*'] }],
    ['credentials in the URL', { url: 'https://user:pass@93.184.216.34/hooks', event_types: ['*'] }],
    ['an unknown field', { url: 'https://93.184.216.34/hooks', event_types: ['*'], secret: 'whsec_mine' }],
  ])('answers 400 for %s and writes nothing', async (_case, body) => {
    const before = await written();
    const response = await request('POST', '/v1/webhook-endpoints', body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', requestId: expect.any(String) });
    expect(await written()).toEqual(before);
  });

  it('answers 400 for a malformed id and 404 for an unknown one, on every route', async () => {
    const unknown = '0b6f3c1e-5a7d-4e2b-9c41-7d2f8a6e3b10';
    const before = await written();
    for (const [method, path, body] of [
      ['GET', '/v1/webhook-endpoints/:id', undefined],
      ['PATCH', '/v1/webhook-endpoints/:id', { enabled: false }],
      ['DELETE', '/v1/webhook-endpoints/:id', undefined],
      ['GET', '/v1/webhook-endpoints/:id/deliveries', undefined],
      ['POST', '/v1/webhook-endpoints/:id/replay', { since: '2026-01-01T00:00:00Z' }],
      ['POST', '/v1/webhook-deliveries/:id/retry', {}],
    ] as const) {
      const malformed = await request(method, path.replace(':id', 'not-an-id'), body);
      expect(malformed.statusCode, `${method} ${path}`).toBe(400);
      const missing = await request(method, path.replace(':id', unknown), body);
      expect(missing.statusCode, `${method} ${path}`).toBe(404);
      expect(missing.json().error.code).toBe('not_found');
    }
    expect(await written()).toEqual(before);
  });

  it('needs an admin key', async () => {
    for (const [method, path] of [
      ['POST', '/v1/webhook-endpoints'],
      ['GET', '/v1/webhook-endpoints'],
      ['POST', '/v1/webhook-deliveries/0b6f3c1e-5a7d-4e2b-9c41-7d2f8a6e3b10/retry'],
    ] as const) {
      const response = await request(method, path, method === 'POST' ? { url: 'https://93.184.216.34/hooks', event_types: ['*'] } : undefined, null);
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
    }
  });

  it('lists, pages, changes and removes endpoints; a replay needs a past time', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      t.clock.advance(1000);
      ids.push((await request('POST', '/v1/webhook-endpoints', { url: `https://93.184.216.34/shop-${n}`, event_types: ['*'], description: `shop ${n}` })).json().id);
    }
    const first = (await request('GET', '/v1/webhook-endpoints?limit=2')).json();
    expect(first.data.map((endpoint: { id: string }) => endpoint.id)).toEqual([ids[2], ids[1]]);
    expect(first).toMatchObject({ has_more: true, next_cursor: ids[1] });
    const second = (await request('GET', `/v1/webhook-endpoints?limit=2&starting_after=${first.next_cursor}`)).json();
    expect(second).toMatchObject({ data: [{ id: ids[0], description: 'shop 1' }], has_more: false, next_cursor: null });
    const future = await request('POST', `/v1/webhook-endpoints/${ids[0]}/replay`, { since: new Date(t.clock.now().getTime() + 60_000).toISOString() });
    expect(future.statusCode).toBe(400);
    const changed = await request('PATCH', `/v1/webhook-endpoints/${ids[0]}`, { event_types: ['payment.failed', 'payment.failed'], description: null, enabled: false });
    expect(changed.json()).toMatchObject({ event_types: ['payment.failed'], description: null, enabled: false, disabled_reason: 'disabled through the API' });
    const replayDisabled = await request('POST', `/v1/webhook-endpoints/${ids[0]}/replay`, { since: '2026-01-01T00:00:00Z' });
    expect(replayDisabled.statusCode).toBe(409);
    expect((await request('PATCH', `/v1/webhook-endpoints/${ids[0]}`, {})).statusCode).toBe(400);
    const removed = await request('DELETE', `/v1/webhook-endpoints/${ids[0]}`);
    expect(removed.json()).toEqual({ id: ids[0], deleted: true });
    expect((await request('GET', `/v1/webhook-endpoints/${ids[0]}`)).statusCode).toBe(404);
  });
});
