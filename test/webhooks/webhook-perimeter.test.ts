import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../support/test-database.ts';
import { listenOnLoopback, RawConnection } from '../support/raw-http.ts';
import { countInbox, SECRET, signStripe, startWebhookTestApp, stripeEventBody, type WebhookTestApp } from './webhook-test-app.ts';

// Behind a proxy on loopback: every request comes from 127.0.0.1 and names its client in X-Forwarded-For.
const PROXY = '127.0.0.1';
const JUNK_CLIENT = '198.51.100.66';
const STRIPE_SENDER = '203.0.113.10';

describe.each(testDatabaseKinds)('POST /webhooks/* behind a proxy (TRUST_PROXY=127.0.0.1) on %s', (kind) => {
  let t: WebhookTestApp;
  beforeAll(async () => {
    t = await startWebhookTestApp(kind, { rateLimitPerMinute: 5, unverifiedLimitPerMinute: 10, trustProxy: [PROXY] });
  });
  afterAll(() => t.close());

  const post = (client: string, headers: Record<string, string>, body: string) =>
    t.app.inject({ method: 'POST', url: '/webhooks/stripe', remoteAddress: PROXY, headers: { 'content-type': 'application/json', 'x-forwarded-for': client, ...headers }, payload: body });
  const signedEvent = (client: string, id: string) => {
    const body = stripeEventBody(id);
    return post(client, { 'stripe-signature': signStripe(body, SECRET, t.clock.now()) }, body);
  };

  it("a flood of unsigned requests from one client never holds Stripe's signed events at 429", async () => {
    const flood = [];
    for (let i = 0; i < 40; i++) flood.push(await post(JUNK_CLIENT, {}, stripeEventBody(`evt_junk_${i}`)));
    const statuses = flood.map((answer) => answer.statusCode);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(statuses.slice(10)).toEqual(Array(30).fill(429));
    expect(flood[0]!.json().error).toMatchObject({ code: 'invalid_signature', message: 'the stripe-signature header is missing' });
    expect(flood[10]!.json().error).toMatchObject({ code: 'rate_limited', requestId: flood[10]!.headers['x-request-id'] });
    expect(Number(flood[10]!.headers['retry-after'])).toBeGreaterThan(0);

    const delivered = await signedEvent(STRIPE_SENDER, 'evt_real_after_flood');
    expect(delivered.statusCode).toBe(200);
    expect(delivered.json()).toEqual({ received: true });
  });

  it('forged signatures are counted against their client only, and verified deliveries against theirs', async () => {
    const forger = '198.51.100.77';
    const forged = [];
    for (let i = 0; i < 12; i++) forged.push((await post(forger, { 'stripe-signature': `t=1,v1=${'ab'.repeat(32)}` }, stripeEventBody(`evt_forged_${i}`))).statusCode);
    expect(forged).toEqual([...Array(10).fill(400), 429, 429]);

    // Five verified deliveries a minute from the sender; the junk above spent none of them.
    const sender = '203.0.113.20';
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await signedEvent(sender, `evt_budget_${i}`)).statusCode);
    expect(answers).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe('POST /webhooks/stripe without a signature, on a real server', () => {
  let t: WebhookTestApp;
  let port: number;
  beforeAll(async () => {
    t = await startWebhookTestApp('pglite');
    port = await listenOnLoopback(t.app);
  });
  afterAll(() => t.close());

  it('is refused before its body is read', async () => {
    const connection = new RawConnection(port);
    // The body is announced but never sent: only an answer that does not wait for it arrives.
    connection.write('POST /webhooks/stripe HTTP/1.1\r\nHost: recur.test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n');
    const timer = setTimeout(() => connection.socket.destroy(), 5000);
    const answer = await connection.answer();
    clearTimeout(timer);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 'invalid_signature', requestId: answer.headers['x-request-id'] });
    expect(await countInbox(t)).toBe(0);
  });
});
