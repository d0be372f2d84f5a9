import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../support/test-database.ts';
import { countInbox, OLD_SECRET, SECRET, signStripe, startWebhookTestApp, stripeEventBody, type WebhookTestApp } from './webhook-test-app.ts';

describe.each(testDatabaseKinds)('POST /webhooks/stripe on %s', (kind) => {
  let t: WebhookTestApp;
  beforeAll(async () => {
    t = await startWebhookTestApp(kind, { secrets: [SECRET, OLD_SECRET] });
  });
  afterAll(() => t.close());

  const deliver = (body: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, payload: body });
  const signed = (body: string, secret = SECRET, at = t.clock.now()) => ({ 'stripe-signature': signStripe(body, secret, at) });

  it('stores a verified event once, however often it is delivered, without an API key', async () => {
    const body = stripeEventBody('evt_once');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await deliver(body, signed(body)));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect(answers[0]!.json()).toEqual({ received: true });
    expect(answers[1]!.json()).toEqual({ received: true, duplicate: true });
    const rows = await t.ctx.db.query('SELECT provider, type, status, attempts, received_at, provider_created_at, payload FROM webhook_inbox WHERE provider_event_id = $1', ['evt_once']);
    expect(rows.rows).toEqual([
      {
        provider: 'stripe',
        type: 'invoice.paid',
        status: 'received',
        attempts: 0,
        received_at: t.clock.now(),
        provider_created_at: new Date('2026-03-01T09:59:00Z'),
        payload: JSON.parse(body),
      },
    ]);
  });

  it('accepts both secrets of a rotation', async () => {
    const before = await countInbox(t);
    const viaOld = stripeEventBody('evt_rotated_old');
    const viaNew = stripeEventBody('evt_rotated_new');
    expect((await deliver(viaOld, signed(viaOld, OLD_SECRET))).statusCode).toBe(200);
    expect((await deliver(viaNew, signed(viaNew, SECRET))).statusCode).toBe(200);
    expect(await countInbox(t)).toBe(before + 2);
  });

  it('accepts a signature at the edge of the 300 s window by recur\'s clock', async () => {
    const body = stripeEventBody('evt_edge');
    expect((await deliver(body, signed(body, SECRET, new Date(t.clock.now().getTime() - 299_000)))).statusCode).toBe(200);
  });

  it('accepts a signature up to 300 s ahead of recur\'s clock (clocks drift both ways)', async () => {
    const body = stripeEventBody('evt_edge_ahead');
    expect((await deliver(body, signed(body, SECRET, new Date(t.clock.now().getTime() + 299_000)))).statusCode).toBe(200);
  });

  describe('refuses and stores nothing', () => {
    const body = stripeEventBody('evt_refused');
    const cases: [string, () => { body: string; headers: Record<string, string> }, number, string][] = [
      ['a forged signature', () => ({ body, headers: { 'stripe-signature': `t=${Math.floor(t.clock.now().getTime() / 1000)},v1=${'ab'.repeat(32)}` } }), 400, 'invalid_signature'],
      ['a signature with a secret recur does not hold', () => ({ body, headers: signed(body, 'whsec_someone_else') }), 400, 'invalid_signature'],
      ['a body changed after signing', () => ({ body: body.replace('invoice.paid', 'invoice.voided'), headers: signed(body) }), 400, 'invalid_signature'],
      ['a replayed old timestamp (301 s by recur\'s clock)', () => ({ body, headers: signed(body, SECRET, new Date(t.clock.now().getTime() - 301_000)) }), 400, 'invalid_signature'],
      ['a timestamp 301 s ahead of recur\'s clock', () => ({ body, headers: signed(body, SECRET, new Date(t.clock.now().getTime() + 301_000)) }), 400, 'invalid_signature'],
      ['a timestamp ten years ahead (replayable for ten years if accepted)', () => ({ body, headers: signed(body, SECRET, new Date(t.clock.now().getTime() + 10 * 365 * 86_400_000)) }), 400, 'invalid_signature'],
      ['a missing signature header', () => ({ body, headers: {} }), 400, 'invalid_signature'],
      ['malformed JSON with a valid signature', () => ({ body: '{"id": "evt_bad",', headers: signed('{"id": "evt_bad",') }), 400, 'malformed_json'],
      ['signed JSON that is not an event', () => ({ body: '{"hello":1}', headers: signed('{"hello":1}') }), 400, 'malformed_json'],
      ['a body over the webhook size limit', () => { const big = stripeEventBody(`evt_big_${'x'.repeat(5000)}`); return { body: big, headers: signed(big) }; }, 413, 'payload_too_large'],
    ];
    it.each(cases)('%s', async (_name, make, status, code) => {
      const before = await countInbox(t);
      const request = make();
      const response = await deliver(request.body, request.headers);
      expect(response.statusCode).toBe(status);
      expect(response.json().error).toMatchObject({ code, requestId: response.headers['x-request-id'] });
      expect(await countInbox(t)).toBe(before);
    });
  });

  it('never writes a body or a signature to the log', async () => {
    const body = stripeEventBody('evt_secret_marker_4711');
    await deliver(body, { 'stripe-signature': 't=1,v1=deadbeef' });
    await deliver(body, signed(body));
    expect(t.logLines.join('\n')).not.toMatch(/secret_marker_4711|deadbeef|v1=/);
  });

  it('answers 503 when the event cannot be stored, so the provider delivers it again', async () => {
    const body = stripeEventBody('evt_store_marker_0815');
    await t.ctx.db.exec('ALTER TABLE webhook_inbox RENAME TO webhook_inbox_away');
    let response;
    try {
      response = await deliver(body, signed(body));
    } finally {
      await t.ctx.db.exec('ALTER TABLE webhook_inbox_away RENAME TO webhook_inbox');
    }
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('storage_unavailable');
    expect(t.logLines.some((line) => line.includes('webhook could not be stored'))).toBe(true);
    expect(t.logLines.join('\n')).not.toContain('store_marker_0815');
    const retried = await deliver(body, signed(body));
    expect(retried.json()).toEqual({ received: true });
  });

  it('answers 404 for a provider recur takes no webhooks from, and keeps JSON parsing on the API', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/webhooks/acme', payload: '{}', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(404);
    const api = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: { authorization: t.auth }, payload: { external_id: 'c-1', email: 'c1@example.nl' } });
    expect(api.statusCode).toBe(201);
  });
});

describe.each(testDatabaseKinds)('POST /webhooks/stripe without a signing secret on %s', (kind) => {
  let t: WebhookTestApp;
  beforeAll(async () => {
    t = await startWebhookTestApp(kind, { secrets: null });
  });
  afterAll(() => t.close());

  it('answers 503 not_configured so the provider retries later, and stores nothing', async () => {
    const body = stripeEventBody('evt_unconfigured');
    const response = await t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, SECRET, t.clock.now()) }, payload: body });
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('not_configured');
    expect(await countInbox(t)).toBe(0);
  });
});

describe.each(testDatabaseKinds)('POST /webhooks/* rate limit on %s', (kind) => {
  let t: WebhookTestApp;
  beforeAll(async () => {
    t = await startWebhookTestApp(kind, { rateLimitPerMinute: 5 });
  });
  afterAll(() => t.close());

  const deliver = (id: string, remoteAddress = '198.51.100.7') => {
    const body = stripeEventBody(id);
    return t.app.inject({ method: 'POST', url: '/webhooks/stripe', remoteAddress, headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, SECRET, t.clock.now()) }, payload: body });
  };

  it('answers 429 with Retry-After beyond the limit per address, stores nothing then, and leaves the API and other senders alone', async () => {
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await deliver(`evt_limit_${i}`));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const refused = answers[5]!;
    expect(refused.json().error).toMatchObject({ code: 'rate_limited', requestId: refused.headers['x-request-id'] });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await countInbox(t)).toBe(5);

    expect((await deliver('evt_other_sender', '203.0.113.9')).statusCode).toBe(200);
    const api = await Promise.all(Array.from({ length: 8 }, () => t.app.inject({ method: 'GET', url: '/v1/plans', remoteAddress: '198.51.100.7', headers: { authorization: t.auth } })));
    expect(api.map((answer) => answer.statusCode)).toEqual(Array(8).fill(200));
  });
});
