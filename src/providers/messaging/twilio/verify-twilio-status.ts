import { twilioSdk } from './twilio-sdk.ts';
import type { CallbackVerification, DeliveryCallbackVerifier, DeliveryUpdate } from '../messaging.ts';

/** Twilio's message statuses and what each says about an SMS; an unknown one is 'pending'. */
const outcomeByStatus: Record<string, DeliveryUpdate['outcome']> = {
  scheduled: 'pending',
  queued: 'accepted',
  accepted: 'accepted',
  sending: 'accepted',
  sent: 'accepted',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

const OPTED_OUT = '21610';

/**
 * Checks a Twilio status callback: X-Twilio-Signature, an HMAC-SHA1 with the auth token over the
 * full URL Twilio posted to and the form fields, compared in constant time by the SDK's
 * validateRequest. `url` must be that URL exactly as the sender gave it (public base URL, path,
 * query with `outbox_id`); a proxy's internal URL does not verify.
 *
 * Twilio signs no timestamp, so there is no replay window to check: a replayed callback can only
 * repeat a status that was already applied, and applying one is idempotent.
 */
export function createTwilioCallbackVerifier(authToken: string): DeliveryCallbackVerifier {
  return ({ raw, headers, url, receivedAt }): CallbackVerification => {
    const signature = headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature === '') return { ok: false, reason: 'bad-signature' };
    const params = formFieldsOf(raw);
    if (!hasValidSignature(authToken, signature, url, params)) return { ok: false, reason: 'bad-signature' };

    const messageSid = single(params.MessageSid);
    const status = single(params.MessageStatus);
    if (!messageSid || !status) return { ok: false, reason: 'malformed' };
    const errorCode = single(params.ErrorCode) || null;
    const update: DeliveryUpdate = {
      channel: 'sms',
      reference: outboxIdOf(url),
      providerMessageId: messageSid,
      event: status,
      outcome: outcomeByStatus[status] ?? 'pending',
      detail: errorCode,
      optedOut: errorCode === OPTED_OUT,
      // Twilio's callback carries no time of its own.
      at: receivedAt,
    };
    return { ok: true, updates: [update] };
  };
}

/** Form fields as validateRequest expects them: a repeated name becomes a list, as Twilio signs it. */
function formFieldsOf(raw: Buffer): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) {
    const known = fields[name];
    fields[name] = known === undefined ? value : [known, value].flat();
  }
  return fields;
}

function hasValidSignature(authToken: string, signature: string, url: string, params: Record<string, string | string[]>): boolean {
  try {
    return twilioSdk().validateRequest(authToken, signature, url, params);
  } catch {
    // validateRequest parses the URL: one that does not parse was not what Twilio signed.
    return false;
  }
}

function outboxIdOf(url: string): string | null {
  try {
    return new URL(url).searchParams.get('outbox_id') || null;
  } catch {
    return null;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}
