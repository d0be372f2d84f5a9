import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import type { CallbackVerification, DeliveryCallbackVerifier } from '../messaging.ts';
import { toDeliveryUpdates } from './sendgrid-event-updates.ts';

const signatureHeader = EventWebhookHeader.SIGNATURE().toLowerCase();
const timestampHeader = EventWebhookHeader.TIMESTAMP().toLowerCase();

/**
 * Checks a SendGrid Event Webhook post: an ECDSA P-256 signature over timestamp + raw body,
 * verified by @sendgrid/eventwebhook with the public key from SendGrid's "Signed Event Webhook"
 * settings. The key is read once here, so a wrong key stops recur at boot, not at the first mail.
 *
 * The timestamp is checked first, and in both directions: it costs nothing while an ECDSA
 * verification is the expensive step, and a post from the future is as suspect as an old one.
 * A refused post is not lost when the route answers non-2xx: SendGrid retries it, signing each
 * attempt anew (as the sandbox does).
 * (ECDSA verification uses no secret, so its running time reveals nothing to an attacker.)
 */
export function createSendgridCallbackVerifier(publicKeyBase64: string, toleranceSeconds = 300): DeliveryCallbackVerifier {
  const webhook = new EventWebhook();
  const publicKey = readPublicKey(webhook, publicKeyBase64);

  return ({ raw, headers, receivedAt }): CallbackVerification => {
    const signature = headers[signatureHeader];
    const timestamp = headers[timestampHeader];
    if (typeof signature !== 'string' || typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad-signature' };
    if (Math.abs(receivedAt.getTime() / 1000 - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: 'stale' };
    if (!hasValidSignature(webhook, publicKey, raw, signature, timestamp)) return { ok: false, reason: 'bad-signature' };
    return parseEvents(raw, receivedAt);
  };
}

function readPublicKey(webhook: EventWebhook, publicKeyBase64: string): ReturnType<EventWebhook['convertPublicKeyToECDSA']> {
  try {
    return webhook.convertPublicKeyToECDSA(publicKeyBase64);
  } catch (error) {
    // The library's own words ("wanted sequence (0x03)") do not tell an admin which setting is wrong.
    throw new Error('SENDGRID_WEBHOOK_PUBLIC_KEY is not the verification key SendGrid shows for the signed Event Webhook (base64 of a P-256 public key)', { cause: error });
  }
}

function hasValidSignature(webhook: EventWebhook, publicKey: ReturnType<EventWebhook['convertPublicKeyToECDSA']>, raw: Buffer, signature: string, timestamp: string): boolean {
  try {
    return webhook.verifySignature(publicKey, raw, signature, timestamp);
  } catch {
    // A signature that is not base64 DER makes the library throw: it is simply not valid.
    return false;
  }
}

// Parsed only after the signature holds: nothing unauthenticated reaches a JSON parser.
function parseEvents(raw: Buffer, receivedAt: Date): CallbackVerification {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const updates = toDeliveryUpdates(json, receivedAt);
  return updates === null ? { ok: false, reason: 'malformed' } : { ok: true, updates };
}
