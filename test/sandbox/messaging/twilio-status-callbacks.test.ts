import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { defaultTwilioCredentials } from '../../../sandbox/twilio/twilio-sandbox.ts';
import { startMessagingSandbox, startWebhookListener, twilioClient, type ReceivedRequest } from './support/messaging-kit.ts';

const { accountSid, authToken } = defaultTwilioCredentials;
const sender = '+15005550006';

let sandbox: RunningSandbox;
let client: twilio.Twilio;
let listener: Awaited<ReturnType<typeof startWebhookListener>>;

const paramsOf = (request: ReceivedRequest) => Object.fromEntries(new URLSearchParams(request.body));

async function sendWithCallback(to: string): Promise<{ sid: string; callbackUrl: string }> {
  const callbackUrl = listener.url('/webhooks/twilio/status?tenant=sportwinkel');
  const message = await client.messages.create({ to, from: sender, body: 'Je betaling is mislukt.', statusCallback: callbackUrl });
  await sandbox.ctx.webhooks.flush();
  return { sid: message.sid, callbackUrl };
}

beforeAll(async () => {
  sandbox = await startMessagingSandbox();
  client = twilioClient(sandbox.url, accountSid, authToken);
  listener = await startWebhookListener();
});
afterAll(async () => {
  await sandbox.stop();
  await listener.close();
});
beforeEach(() => {
  sandbox.reset();
  listener.received.length = 0;
});

describe('Twilio status callbacks', () => {
  it('posts sent then delivered, form-encoded, signed so that twilio.validateRequest accepts them', async () => {
    const { sid, callbackUrl } = await sendWithCallback('+31612345678');
    expect(listener.received.map((request) => paramsOf(request).MessageStatus)).toEqual(['sent', 'delivered']);
    for (const request of listener.received) {
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const params = paramsOf(request);
      expect(params).toMatchObject({ MessageSid: sid, SmsSid: sid, AccountSid: accountSid, To: '+31612345678', From: sender, ApiVersion: '2010-04-01' });
      expect(twilio.validateRequest(authToken, request.headers['x-twilio-signature'] as string, callbackUrl, params)).toBe(true);
    }
  });

  it('is refused by validateRequest when a parameter, the URL or the token differs', async () => {
    const { callbackUrl } = await sendWithCallback('+31612345678');
    const request = listener.received[0]!;
    const signature = request.headers['x-twilio-signature'] as string;
    const params = paramsOf(request);
    expect(twilio.validateRequest(authToken, signature, callbackUrl, { ...params, MessageStatus: 'delivered' })).toBe(false);
    expect(twilio.validateRequest(authToken, signature, callbackUrl.replace('sportwinkel', 'ander'), params)).toBe(false);
    expect(twilio.validateRequest('0'.repeat(32), signature, callbackUrl, params)).toBe(false);
  });

  it.each([
    ['+15005553003', ['sent', 'undelivered'], '30003'],
    ['+15005553006', ['sent', 'undelivered'], '30006'],
    ['+15005553008', ['failed'], '30008'],
  ])('reports %s as %j with ErrorCode %s, and the message shows it', async (to, statuses, errorCode) => {
    const { sid } = await sendWithCallback(to);
    expect(listener.received.map((request) => paramsOf(request).MessageStatus)).toEqual(statuses);
    expect(paramsOf(listener.received.at(-1)!).ErrorCode).toBe(errorCode);
    const message = await client.messages(sid).fetch();
    expect(message).toMatchObject({ status: statuses.at(-1), errorCode: Number(errorCode) });
  });

  it('sends nothing without a StatusCallback', async () => {
    await client.messages.create({ to: '+31612345678', from: sender, body: 'x' });
    await sandbox.ctx.webhooks.flush();
    expect(listener.received).toEqual([]);
  });
});
