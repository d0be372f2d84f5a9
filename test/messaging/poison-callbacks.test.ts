import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSendgridCallbackVerifier } from '../../src/providers/messaging/sendgrid/verify-sendgrid-events.ts';
import { createTwilioCallbackVerifier } from '../../src/providers/messaging/twilio/verify-twilio-status.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const PUBLIC_BASE_URL = 'https://recur.example';
const TWILIO_TOKEN = 'twilio-test-auth-token-0123456789';

// Delivery callbacks are applied at once, all of one post in one transaction: a U+0000 in one
// signed field must not fail the post (SendGrid would post the same batch again for a day).
describe.each(testDatabaseKinds)('delivery callbacks with text PostgreSQL cannot store, on %s', (kind) => {
  let t: TestApp;
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  beforeAll(async () => {
    t = await startTestApp(kind, {
      messaging: {
        email: null,
        sms: null,
        emailCallbacks: createSendgridCallbackVerifier(key.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')),
        smsCallbacks: createTwilioCallbackVerifier(TWILIO_TOKEN),
        publicBaseUrl: PUBLIC_BASE_URL,
        linkSecret: 'poison-callback-test-secret-of-32-chars',
      },
    });
  });
  afterAll(() => t.close());

  async function sentNotice(channel: 'email' | 'sms', providerMessageId: string): Promise<string> {
    const id = randomUUID();
    const now = t.clock.now();
    await t.ctx.db.query(
      `INSERT INTO notification_outbox (id, business_key, channel, template, recipient, locale, payload, status, provider_message_id, due_at, sent_at, created_at, updated_at)
       VALUES ($1, $2, $3, 'receipt', $4, 'nl', '{}', 'sent', $5, $6, $6, $6, $6)`,
      [id, `receipt:${id}`, channel, channel === 'email' ? 'klant@example.nl' : '+31612345678', providerMessageId, now],
    );
    return id;
  }
  const rowOf = async (id: string) =>
    (await t.ctx.db.query<{ status: string; delivery_detail: string | null; error_code: string | null }>('SELECT status, delivery_detail, error_code FROM notification_outbox WHERE id = $1', [id])).rows[0]!;

  it('SendGrid: a signed batch with U+0000 in a bounce reason is applied, and the other events of the batch too', async () => {
    const bounced = await sentNotice('email', 'sgBounce1');
    const delivered = await sentNotice('email', 'sgDeliver1');
    const timestamp = Math.floor(t.clock.now().getTime() / 1000);
    const body = JSON.stringify([
      { email: 'klant@example.nl', event: 'bounce', timestamp, sg_message_id: 'sgBounce1.filter0001', outbox_id: bounced, reason: '550 5.1.1 user\u0000unknown' },
      { email: 'klant@example.nl', event: 'delivered', timestamp, sg_message_id: 'sgDeliver1.filter0001', outbox_id: delivered, response: '250 OK \ud800' },
    ]);
    expect(body).toContain('\\u0000');
    const response = await t.app.inject({
      method: 'POST',
      url: '/webhooks/sendgrid',
      headers: {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(`${timestamp}${body}`), key.privateKey).toString('base64'),
        'x-twilio-email-event-webhook-timestamp': String(timestamp),
      },
      payload: body,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true, applied: 2, unknown: 0, ignored: 0 });
    expect(await rowOf(bounced)).toEqual({ status: 'bounced', delivery_detail: 'bounce: 550 5.1.1 user\ufffdunknown', error_code: '550 5.1.1 user\ufffdunknown' });
    expect(await rowOf(delivered)).toMatchObject({ status: 'delivered', delivery_detail: 'delivered: 250 OK \ufffd' });
  });

  it('Twilio: a signed status callback with U+0000 in a field is applied', async () => {
    const id = await sentNotice('sms', 'SM0000000000000000000000000000poison');
    const url = `${PUBLIC_BASE_URL}/webhooks/twilio?outbox_id=${id}`;
    const params = { MessageSid: 'SM0000000000000000000000000000poison', MessageStatus: 'undelivered', ErrorCode: '30003\u0000' };
    const response = await t.app.inject({
      method: 'POST',
      url: `/webhooks/twilio?outbox_id=${id}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO_TOKEN, url, params) },
      payload: new URLSearchParams(params).toString(),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ received: true, applied: 1 });
    expect(await rowOf(id)).toEqual({ status: 'failed', delivery_detail: 'undelivered: 30003\ufffd', error_code: '30003\ufffd' });
  });
});
