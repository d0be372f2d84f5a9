import { createHmac, randomUUID } from 'node:crypto';
import type { SandboxContext } from '../core/sandbox-provider.ts';
import type { SmsRecord } from './message-store.ts';

/**
 * Twilio's request signature: HMAC-SHA1 with the auth token over the full URL followed by every
 * POST parameter as name+value, names sorted; base64. (twilio.validateRequest checks exactly this.)
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** The parameters Twilio posts to a message's StatusCallback for its current status. */
export function statusCallbackParams(record: SmsRecord): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: record.accountSid,
    ApiVersion: '2010-04-01',
    From: record.from ?? '',
    MessageSid: record.sid,
    MessageStatus: record.status,
    SmsSid: record.sid,
    SmsStatus: record.status,
    To: record.to,
  };
  if (record.messagingServiceSid) params.MessagingServiceSid = record.messagingServiceSid;
  if (record.errorCode !== null) params.ErrorCode = String(record.errorCode);
  return params;
}

/** Posts the message's current status to its StatusCallback (if it has one), form-encoded and signed. */
export function postStatusCallback(ctx: SandboxContext, authToken: string, record: SmsRecord): void {
  if (!record.statusCallback) return;
  const url = record.statusCallback;
  const params = statusCallbackParams(record);
  const signature = twilioSignature(authToken, url, params);
  const idempotencyToken = randomUUID();
  ctx.webhooks.send({
    provider: 'twilio',
    eventId: `${record.sid}:${record.status}`,
    url,
    body: new URLSearchParams(params).toString(),
    headers: () => ({
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
      'i-twilio-idempotency-token': idempotencyToken,
      'user-agent': 'TwilioProxy/1.1',
    }),
  });
}
