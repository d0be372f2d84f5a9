import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStripe, startWebhookTestApp, stripeEventBody, SECRET, type WebhookTestApp } from './webhook-test-app.ts';

/** Accepted deliveries are logged at debug (the inbox row records each); refused ones at info. */
describe('the request lines of webhook deliveries', () => {
  let t: WebhookTestApp;
  beforeAll(async () => {
    t = await startWebhookTestApp('pglite');
  });
  afterAll(() => t.close());

  const lineOf = (requestId: string) => t.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.requestId === requestId && entry.msg === 'request');
  const deliver = (requestId: string, signature: string, body: string) =>
    t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signature, 'x-request-id': requestId }, payload: body });

  it('writes an accepted or duplicate delivery at debug and a refused one at info', async () => {
    const body = stripeEventBody('evt_logged_once');
    expect((await deliver('hook-accepted', signStripe(body, SECRET, t.clock.now()), body)).statusCode).toBe(200);
    expect((await deliver('hook-duplicate', signStripe(body, SECRET, t.clock.now()), body)).statusCode).toBe(200);
    expect((await deliver('hook-forged', signStripe(body, 'whsec_not_the_secret', t.clock.now()), body)).statusCode).toBe(400);
    expect(lineOf('hook-accepted')).toMatchObject({ level: 20, route: '/webhooks/:provider', status: 200 });
    expect(lineOf('hook-duplicate')).toMatchObject({ level: 20, status: 200 });
    expect(lineOf('hook-forged')).toMatchObject({ level: 30, route: '/webhooks/:provider', status: 400 });
  });
});
