import { verify } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { RecurError } from '../../../shared/errors.ts';
import type { VerifyResult } from '../../../webhooks/webhook-verifier.ts';
import { crc32 } from './crc32.ts';
import { createCertificateStore, isAllowedCertUrl, type CertificateSource } from './paypal-webhook-certificates.ts';

/** The asynchronous form of `WebhookVerifier`: PayPal's check may need a certificate download or a postback. */
export type AsyncWebhookVerifier = (raw: Buffer, headers: IncomingHttpHeaders, receivedAt: Date) => Promise<VerifyResult>;

/** What `POST /v1/notifications/verify-webhook-signature` is sent (PayPal's names). */
export type PaypalSignatureVerificationRequest = {
  auth_algo: string;
  cert_url: string;
  transmission_id: string;
  transmission_sig: string;
  transmission_time: string;
  webhook_id: string;
  webhook_event: unknown;
};

export type PaypalWebhookVerifierOptions = CertificateSource & {
  /** recur's endpoint at PayPal (PAYPAL_WEBHOOK_ID): part of the signed message, so a delivery meant for another endpoint fails. */
  webhookId: string;
  verification: 'offline' | 'postback' | 'offline-then-postback';
  /** PayPal's verify-webhook-signature call (PaypalRestClient.verifyWebhookSignature); needed unless verification is offline. */
  postback?: ((request: PaypalSignatureVerificationRequest) => Promise<'SUCCESS' | 'FAILURE'>) | undefined;
  /** A transmission time further than this from recur's clock, either way, is a replay (or a broken clock). Default 300 s. */
  windowSeconds?: number;
  /** Certificates kept by URL. Default 16. */
  certificateCacheSize?: number;
};

const DEFAULT_WINDOW_SECONDS = 300;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

type Transmission = { id: string; time: string; timeMs: number; signature: Buffer; signatureText: string; certUrl: string; authAlgo: string };

const eventEnvelope = z.object({ id: z.string().min(1).max(255), event_type: z.string().min(1).max(255), create_time: z.string().optional() });

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function readTransmission(headers: IncomingHttpHeaders): Transmission | null {
  const id = header(headers, 'paypal-transmission-id');
  const time = header(headers, 'paypal-transmission-time');
  const signatureText = header(headers, 'paypal-transmission-sig');
  const certUrl = header(headers, 'paypal-cert-url');
  const authAlgo = header(headers, 'paypal-auth-algo');
  if (!id || !time || !signatureText || !certUrl || !authAlgo) return null;
  if (id.length > 128 || certUrl.length > 2048 || signatureText.length > 2048 || !ISO_INSTANT.test(time) || !BASE64.test(signatureText)) return null;
  // PayPal signs with RSA and SHA-256 only; another algorithm named here is not one we could check.
  if (authAlgo !== 'SHA256withRSA') return null;
  const timeMs = Date.parse(time);
  if (Number.isNaN(timeMs)) return null;
  return { id, time, timeMs, signature: Buffer.from(signatureText, 'base64'), signatureText, certUrl, authAlgo };
}

/**
 * Verifies a PayPal delivery: SHA256withRSA over `<transmission id>|<transmission time>|<our webhook
 * id>|<CRC-32 of the raw bytes, decimal>`, with PayPal's certificate from its cert URL (only PayPal's
 * own host and path; chain, validity and subject checked; cached), the transmission time within the
 * window of recur's clock. Missing or malformed headers are `malformed`; a certificate that could not
 * be fetched, or a postback PayPal could not answer (unreachable, 5xx, 429), is `unavailable`, so
 * PayPal delivers again; every other failure is `bad-signature`. Postback asks PayPal instead; offline-then-postback asks only when offline fails
 * (e.g. a certificate PayPal has rotated to that does not chain as expected).
 */
export function createPaypalWebhookVerifier(options: PaypalWebhookVerifierOptions): AsyncWebhookVerifier {
  if (options.verification !== 'offline' && !options.postback) throw new TypeError(`PayPal webhook verification "${options.verification}" needs the postback client`);
  const windowMs = (options.windowSeconds ?? DEFAULT_WINDOW_SECONDS) * 1000;
  const certificates = createCertificateStore(options, options.certificateCacheSize);

  /** true: genuine; false: not; 'unavailable': its certificate could not be fetched (PayPal unreachable). */
  const verifyOffline = async (raw: Buffer, transmission: Transmission, receivedAt: Date): Promise<boolean | 'unavailable'> => {
    if (!isAllowedCertUrl(transmission.certUrl, options)) return false;
    const lookup = await certificates.get(transmission.certUrl);
    if (lookup.status === 'unavailable') return 'unavailable';
    if (lookup.status === 'untrusted') return false;
    const trusted = lookup.certificate;
    const now = receivedAt.getTime();
    if (now < trusted.validFrom || now > trusted.validTo) return false;
    const message = `${transmission.id}|${transmission.time}|${options.webhookId}|${crc32(raw)}`;
    try {
      return verify('sha256', Buffer.from(message, 'utf8'), trusted.leaf.publicKey, transmission.signature);
    } catch {
      return false;
    }
  };

  /** PayPal's answer; 'unavailable' when PayPal could not give one (unreachable, 5xx, 429 after the transport's retries). */
  const verifyByPostback = async (event: unknown, transmission: Transmission): Promise<boolean | 'unavailable'> => {
    try {
      const status = await options.postback!({
        auth_algo: transmission.authAlgo,
        cert_url: transmission.certUrl,
        transmission_id: transmission.id,
        transmission_sig: transmission.signatureText,
        transmission_time: transmission.time,
        webhook_id: options.webhookId,
        webhook_event: event,
      });
      return status === 'SUCCESS';
    } catch (error) {
      if (error instanceof RecurError && error.retryable) return 'unavailable';
      throw error;
    }
  };

  return async (raw, headers, receivedAt): Promise<VerifyResult> => {
    const transmission = readTransmission(headers);
    if (!transmission) return { ok: false, reason: 'malformed' };
    if (Math.abs(receivedAt.getTime() - transmission.timeMs) > windowMs) return { ok: false, reason: 'bad-signature' };
    const offline = options.verification === 'postback' ? false : await verifyOffline(raw, transmission, receivedAt);
    if (offline === true) return parseEvent(raw);
    if (options.verification === 'offline') return { ok: false, reason: offline === 'unavailable' ? 'unavailable' : 'bad-signature' };
    // The postback needs the event as JSON: the one place a body is parsed before it is verified.
    const parsed = parseEvent(raw);
    if (!parsed.ok) return parsed;
    const answer = await verifyByPostback(parsed.event.payload, transmission);
    if (answer === 'unavailable') return { ok: false, reason: 'unavailable' };
    return answer ? parsed : { ok: false, reason: 'bad-signature' };
  };
}

function parseEvent(raw: Buffer): VerifyResult {
  let json: unknown;
  const text = raw.toString('utf8');
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const envelope = eventEnvelope.safeParse(json);
  if (!envelope.success) return { ok: false, reason: 'malformed' };
  const created = envelope.data.create_time ? Date.parse(envelope.data.create_time) : Number.NaN;
  return { ok: true, event: { providerEventId: envelope.data.id, type: envelope.data.event_type, payload: json, payloadText: text, providerCreatedAt: Number.isNaN(created) ? null : new Date(created) } };
}
