import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookVerifier } from '../../src/webhooks/webhook-verifier.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { countInbox, signStripe, SECRET, startWebhookTestApp, stripeEventBody, type WebhookTestApp } from './webhook-test-app.ts';

/**
 * Verification is asynchronous (a provider may fetch a signing certificate before it can decide):
 * the ingest waits for the verdict, stores nothing before it, and answers 2xx only after the row
 * is committed. The verifier here holds Stripe's real check until the test lets it go.
 */
describe.each(testDatabaseKinds)('webhook verification that takes its time, on %s', (kind) => {
  let t: WebhookTestApp;
  let release: () => void;
  let started: Promise<void>;
  beforeAll(async () => {
    t = await startWebhookTestApp(kind);
    const stripe = t.ctx.webhooks.verifiers.stripe!;
    const slow: WebhookVerifier = async (raw, headers, receivedAt) => {
      await new Promise<void>((resolve) => (release = resolve));
      return stripe(raw, headers, receivedAt);
    };
    t.ctx.webhooks.verifiers.stripe = (...args) => {
      const verdict = slow(...args);
      markStarted();
      return verdict;
    };
  });
  afterAll(() => t.close());

  let markStarted: () => void = () => {};
  const waitForVerification = () => {
    started = new Promise<void>((resolve) => (markStarted = resolve));
    return started;
  };
  const deliver = (body: string, signature: string) =>
    t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, payload: body });

  it('stores a verified event only after the verdict, and answers 200 once it is stored', async () => {
    const body = stripeEventBody('evt_slow_verdict');
    const verifying = waitForVerification();
    const answer = deliver(body, signStripe(body, SECRET, t.clock.now()));
    await verifying;
    expect(await countInbox(t)).toBe(0);
    release();
    expect((await answer).statusCode).toBe(200);
    expect((await t.ctx.db.query('SELECT status FROM webhook_inbox WHERE provider_event_id = $1', ['evt_slow_verdict'])).rows).toEqual([{ status: 'received' }]);
  });

  it('answers 400 to a forged delivery once the verdict comes, and stores nothing', async () => {
    const before = await countInbox(t);
    const body = stripeEventBody('evt_slow_forged');
    const verifying = waitForVerification();
    const answer = deliver(body, signStripe(body, 'whsec_someone_else', t.clock.now()));
    await verifying;
    release();
    const refused = await answer;
    expect([refused.statusCode, refused.json().error.code]).toEqual([400, 'invalid_signature']);
    expect(await countInbox(t)).toBe(before);
  });
});
