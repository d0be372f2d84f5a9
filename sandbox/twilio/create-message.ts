import { isE164, isValidSender, magicFromNumbers, magicToNumbers } from './phone-numbers.ts';
import { newSid, type MessageStore, type SmsRecord } from './message-store.ts';
import type { TwilioRefusal } from './twilio-errors.ts';

export type FormParams = Record<string, string | string[] | undefined>;

function single(params: FormParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const messagingServiceSid = /^MG[0-9a-fA-F]{32}$/;

/**
 * Checks a Create Message request in the order Twilio reports problems (missing before
 * malformed before refused) and, when it passes, makes the message: `queued` with a From,
 * `accepted` when only a Messaging Service was named (its sender is picked when it is sent).
 */
export function createMessage(params: FormParams, accountSid: string, store: MessageStore, now: Date): { ok: true; record: SmsRecord } | { ok: false; refusal: TwilioRefusal } {
  const to = single(params, 'To')?.trim();
  const from = single(params, 'From')?.trim();
  const serviceSid = single(params, 'MessagingServiceSid');
  const body = single(params, 'Body') ?? '';
  const mediaUrls = [params.MediaUrl ?? []].flat();
  const statusCallback = single(params, 'StatusCallback');
  const refuse = (refusal: TwilioRefusal) => ({ ok: false as const, refusal });

  if (!to) return refuse({ code: 21604, message: "A 'To' phone number is required." });
  if (!from && !serviceSid) return refuse({ code: 21603, message: "A 'From' phone number is required." });
  if (!body && mediaUrls.length === 0 && !single(params, 'ContentSid')) return refuse({ code: 21602, message: 'Message body is required.' });
  if (!isE164(to)) return refuse({ code: 21211, message: `The 'To' number ${to} is not a valid phone number.` });
  if (from && !isValidSender(from)) return refuse({ code: 21212, message: `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.` });
  if (serviceSid && !messagingServiceSid.test(serviceSid)) return refuse({ code: 21701, message: `The Messaging Service Sid ${serviceSid} is invalid.` });
  if (statusCallback && !isHttpUrl(statusCallback)) return refuse({ code: 21609, message: `The StatusCallback URL ${statusCallback} is not a valid URL.` });
  if (body.length > 1600) return refuse({ code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.' });
  const magicFrom = from ? magicFromNumbers[from] : undefined;
  if (magicFrom && from) return refuse(magicFrom(from));
  const magicTo = magicToNumbers[to];
  if (magicTo) return refuse(magicTo(to));
  if (store.isOptedOut(to)) return refuse({ code: 21610, message: 'Attempt to send to unsubscribed recipient' });

  const record: SmsRecord = {
    sid: newSid('SM'),
    accountSid,
    from: from ?? null,
    to,
    body,
    status: from ? 'queued' : 'accepted',
    messagingServiceSid: serviceSid ?? null,
    numMedia: mediaUrls.length,
    dateCreated: now,
    dateUpdated: now,
    dateSent: null,
    errorCode: null,
    errorMessage: null,
    statusCallback: statusCallback ?? null,
  };
  store.add(record);
  return { ok: true, record };
}
