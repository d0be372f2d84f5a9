import { generateKeyPairSync, sign } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryCallbackVerifier } from '../../src/providers/messaging/messaging.ts';
import { createSendgridSender } from '../../src/providers/messaging/sendgrid/create-sendgrid-sender.ts';
import { createSendgridCallbackVerifier } from '../../src/providers/messaging/sendgrid/verify-sendgrid-events.ts';
import { createTwilioSender } from '../../src/providers/messaging/twilio/create-twilio-sender.ts';
import { createTwilioCallbackVerifier } from '../../src/providers/messaging/twilio/verify-twilio-status.ts';
import { startWebhookListener, type ReceivedRequest } from '../sandbox/messaging/support/messaging-kit.ts';
import { startProviderSandbox, type ProviderSandbox } from './support/provider-sandbox.ts';

let env: ProviderSandbox;
let listener: Awaited<ReturnType<typeof startWebhookListener>>;

const sandboxNow = () => env.sandbox.ctx.clock.now();
const later = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

/** What the webhook route hands a verifier: the raw bytes and headers as received, and the full URL. */
function callbackOf(request: ReceivedRequest, receivedAt: Date, body = request.body) {
  return { raw: Buffer.from(body, 'utf8'), headers: request.headers, url: listener.url(request.path), receivedAt };
}

/** A P-256 key pair as SendGrid's settings show the public half: base64 of the DER SPKI. */
function newEventWebhookKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKeyBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

beforeAll(async () => {
  env = await startProviderSandbox();
  listener = await startWebhookListener();
});
afterAll(async () => {
  await env.sandbox.stop();
  await listener.close();
});
beforeEach(() => {
  env.sandbox.reset();
  listener.received.length = 0;
});

describe('SendGrid Event Webhook verifier', () => {
  let verify: DeliveryCallbackVerifier;

  beforeEach(async () => {
    verify = createSendgridCallbackVerifier(env.sendgrid.eventWebhook.publicKey);
    const response = await fetch(`${env.sendgrid.baseUrl}/v3/user/webhooks/event/settings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${env.sendgrid.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true, url: listener.url('/webhooks/sendgrid') }),
    });
    expect(response.status).toBe(200);
  });

  /** Sends one mail through recur's sender and returns the Event Webhook post it caused. */
  async function eventsFor(to: string, reference: string): Promise<{ request: ReceivedRequest; messageId: string }> {
    const sender = createSendgridSender({ apiKey: env.sendgrid.apiKey, from: 'Sportwinkel <winkel@example.nl>', apiBase: env.sendgrid.baseUrl });
    const result = await sender.send({ to, subject: 'Factuur', text: 'Je factuur.', html: '<p>Je factuur.</p>', reference, category: 'receipt' });
    if (result.kind !== 'sent') throw new Error(`not sent: ${JSON.stringify(result)}`);
    await env.sandbox.ctx.webhooks.flush();
    const request = listener.received.at(-1);
    if (!request) throw new Error('no Event Webhook post arrived');
    return { request, messageId: result.providerMessageId };
  }

  it('turns a genuine post into processed and delivered updates for the outbox row', async () => {
    const { request, messageId } = await eventsFor('klant@example.nl', 'ob_1');
    const result = verify(callbackOf(request, sandboxNow()));

    const common = { channel: 'email', reference: 'ob_1', providerMessageId: messageId, optedOut: false, at: sandboxNow() };
    expect(result).toEqual({
      ok: true,
      updates: [
        { ...common, event: 'processed', outcome: 'accepted', detail: null },
        { ...common, event: 'delivered', outcome: 'delivered', detail: '250 OK' },
      ],
    });
  });

  it('reports a bounce for bounce@x.nl with the receiving server’s reason', async () => {
    const { request } = await eventsFor('bounce@x.nl', 'ob_2');
    const result = verify(callbackOf(request, sandboxNow()));
    expect(result.ok && result.updates.map((update) => [update.event, update.outcome, update.reference])).toEqual([
      ['processed', 'accepted', 'ob_2'],
      ['bounce', 'bounced', 'ob_2'],
    ]);
    expect(result.ok && result.updates[1]!.detail).toMatch(/^550 5\.1\.1/);
  });

  it('reports dropped@x.nl as failed', async () => {
    const { request } = await eventsFor('dropped@x.nl', 'ob_3');
    const result = verify(callbackOf(request, sandboxNow()));
    expect(result).toMatchObject({ ok: true, updates: [{ event: 'dropped', outcome: 'failed', detail: 'Bounced Address', reference: 'ob_3' }] });
  });

  it('rejects a body changed by one byte', async () => {
    const { request } = await eventsFor('klant@example.nl', 'ob_4');
    const forged = request.body.replace('ob_4', 'ob_5');
    expect(forged).not.toBe(request.body);
    expect(verify(callbackOf(request, sandboxNow(), forged))).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a post when recur holds another public key', async () => {
    const { request } = await eventsFor('klant@example.nl', 'ob_6');
    const otherVerifier = createSendgridCallbackVerifier(newEventWebhookKey().publicKeyBase64);
    expect(otherVerifier(callbackOf(request, sandboxNow()))).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a post without signature headers', async () => {
    const { request } = await eventsFor('klant@example.nl', 'ob_7');
    const { 'x-twilio-email-event-webhook-signature': _dropped, ...headers } = request.headers;
    expect(verify({ ...callbackOf(request, sandboxNow()), headers })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a genuine post outside the tolerance, in both directions, and accepts it at the edge', async () => {
    const { request } = await eventsFor('klant@example.nl', 'ob_8');
    expect(verify(callbackOf(request, later(sandboxNow(), 301)))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(callbackOf(request, later(sandboxNow(), -301)))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(callbackOf(request, later(sandboxNow(), 300))).ok).toBe(true);
    expect(createSendgridCallbackVerifier(env.sendgrid.eventWebhook.publicKey, 60)(callbackOf(request, later(sandboxNow(), 61)))).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses at creation a key that is not a P-256 public key, naming the setting', () => {
    expect(() => createSendgridCallbackVerifier('not-a-key')).toThrow(/SENDGRID_WEBHOOK_PUBLIC_KEY/);
  });

  describe('with a body signed by a key of the test’s own', () => {
    const key = newEventWebhookKey();
    const timestamp = '1772355600';
    const receivedAt = new Date(Number(timestamp) * 1000);
    const signed = (body: string) => ({
      raw: Buffer.from(body),
      headers: {
        'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(timestamp + body), key.privateKey).toString('base64'),
        'x-twilio-email-event-webhook-timestamp': timestamp,
      },
      url: 'https://recur.example/webhooks/sendgrid',
      receivedAt,
    });

    it.each(['{"event":"delivered"}', '[1]', '[{"email":"a@b.nl"}]', 'not json'])('calls %s malformed', (body) => {
      expect(createSendgridCallbackVerifier(key.publicKeyBase64)(signed(body))).toEqual({ ok: false, reason: 'malformed' });
    });

    it('leaves engagement events out and maps deferred to pending', () => {
      const body = JSON.stringify([
        { email: 'a@b.nl', event: 'open', timestamp: 1772355590, sg_message_id: 'abc.filter0001.0.0', outbox_id: 'ob_9' },
        { email: 'a@b.nl', event: 'deferred', timestamp: 1772355595, sg_message_id: 'abc.filter0001.0.0', outbox_id: 'ob_9', response: '451 try again later' },
      ]);
      expect(createSendgridCallbackVerifier(key.publicKeyBase64)(signed(body))).toEqual({
        ok: true,
        updates: [{ channel: 'email', reference: 'ob_9', providerMessageId: 'abc', event: 'deferred', outcome: 'pending', detail: '451 try again later', optedOut: false, at: new Date(1772355595_000) }],
      });
    });
  });
});

describe('Twilio status callback verifier', () => {
  const verify = () => createTwilioCallbackVerifier(env.twilio.authToken);

  /** Sends one SMS through recur's sender with a status callback to the listener. */
  async function callbacksFor(to: string, reference: string): Promise<{ requests: ReceivedRequest[]; sid: string }> {
    const sender = createTwilioSender({ accountSid: env.twilio.accountSid, authToken: env.twilio.authToken, from: env.twilio.fromNumber, apiBase: env.twilio.baseUrl });
    const result = await sender.send({ to, body: 'Je betaling is mislukt.', reference, statusCallbackUrl: listener.url(`/webhooks/twilio/status?outbox_id=${reference}`) });
    if (result.kind !== 'sent') throw new Error(`not sent: ${JSON.stringify(result)}`);
    await env.sandbox.ctx.webhooks.flush();
    return { requests: [...listener.received], sid: result.providerMessageId };
  }

  it('turns genuine callbacks into sent (accepted) and delivered updates for the outbox row', async () => {
    const { requests, sid } = await callbacksFor('+31612345678', 'ob_20');
    const receivedAt = sandboxNow();
    const common = { channel: 'sms', reference: 'ob_20', providerMessageId: sid, detail: null, optedOut: false, at: receivedAt };
    expect(requests.map((request) => verify()(callbackOf(request, receivedAt)))).toEqual([
      { ok: true, updates: [{ ...common, event: 'sent', outcome: 'accepted' }] },
      { ok: true, updates: [{ ...common, event: 'delivered', outcome: 'delivered' }] },
    ]);
  });

  it('reports +15005553003 as sent, then undelivered with error 30003', async () => {
    const { requests } = await callbacksFor('+15005553003', 'ob_21');
    const updates = requests.flatMap((request) => {
      const result = verify()(callbackOf(request, sandboxNow()));
      return result.ok ? result.updates : [];
    });
    expect(updates.map((update) => [update.event, update.outcome, update.detail, update.optedOut])).toEqual([
      ['sent', 'accepted', null, false],
      ['undelivered', 'failed', '30003', false],
    ]);
  });

  it('rejects a body changed by one byte', async () => {
    const { requests } = await callbacksFor('+31612345678', 'ob_22');
    const request = requests[1]!;
    const forged = request.body.replace('MessageStatus=delivered', 'MessageStatus=delivereD');
    expect(forged).not.toBe(request.body);
    expect(verify()(callbackOf(request, sandboxNow(), forged))).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a callback checked with another auth token', async () => {
    const { requests } = await callbacksFor('+31612345678', 'ob_23');
    expect(createTwilioCallbackVerifier('0'.repeat(32))(callbackOf(requests[0]!, sandboxNow()))).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a callback replayed against another URL (another outbox row)', async () => {
    const { requests } = await callbacksFor('+31612345678', 'ob_24');
    const callback = callbackOf(requests[0]!, sandboxNow());
    expect(verify()({ ...callback, url: callback.url.replace('ob_24', 'ob_25') })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify()({ ...callback, url: 'not a url' })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a callback without X-Twilio-Signature', async () => {
    const { requests } = await callbacksFor('+31612345678', 'ob_26');
    const { 'x-twilio-signature': _dropped, ...headers } = requests[0]!.headers;
    expect(verify()({ ...callbackOf(requests[0]!, sandboxNow()), headers })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  describe('with a callback signed by the test', () => {
    const url = 'https://recur.example/webhooks/twilio/status?outbox_id=ob_30';
    const signed = (params: Record<string, string>) => ({
      raw: Buffer.from(new URLSearchParams(params).toString()),
      headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(env.twilio.authToken, url, params) },
      url,
      receivedAt: new Date('2026-03-01T09:00:00Z'),
    });

    it('marks ErrorCode 21610 as an opt-out', () => {
      const result = verify()(signed({ MessageSid: 'SM1', MessageStatus: 'failed', ErrorCode: '21610' }));
      expect(result).toMatchObject({ ok: true, updates: [{ reference: 'ob_30', outcome: 'failed', detail: '21610', optedOut: true }] });
    });

    it('calls a callback without MessageSid or MessageStatus malformed', () => {
      expect(verify()(signed({ MessageSid: 'SM1' }))).toEqual({ ok: false, reason: 'malformed' });
      expect(verify()(signed({ MessageStatus: 'delivered' }))).toEqual({ ok: false, reason: 'malformed' });
    });
  });
});
