import Stripe from 'stripe';
import { z } from 'zod';
import type { VerifyResult, WebhookVerifier } from '../../../webhooks/webhook-verifier.ts';

/** Stripe's default: a signature older than this (by recur's clock) is a replay; one dated further ahead is refused too. */
const TOLERANCE_SECONDS = 300;

const eventEnvelope = z.object({ id: z.string().min(1).max(255), type: z.string().min(1).max(255), created: z.number().int().nonnegative().optional() });

/**
 * Accepts a delivery signed with any of the endpoint's secrets, so a rotation needs no downtime:
 * configure old and new, switch the endpoint, then drop the old one.
 */
export function createStripeWebhookVerifier(secrets: readonly string[]): WebhookVerifier {
  // Stripe's check is pure computation; the promise is the interface's, for providers that need I/O.
  return async (raw, headers, receivedAt): Promise<VerifyResult> => {
    const header = headers['stripe-signature'];
    if (typeof header !== 'string' || header.length === 0) return { ok: false, reason: 'bad-signature' };
    // stripe@23 takes receivedAt in MILLISECONDS (it divides by 1000); seconds would make every old signature look fresh.
    const receivedAtMs = receivedAt.getTime();
    // The SDK only refuses old signatures: one dated in the future (years, if need be) would stay
    // replayable until then. Both directions, as SendGrid's check does; cheap, so before the HMAC.
    if (!isWithinTolerance(header, receivedAtMs)) return { ok: false, reason: 'bad-signature' };
    if (!secrets.some((secret) => hasValidSignature(raw, header, secret, receivedAtMs))) return { ok: false, reason: 'bad-signature' };
    return parseEvent(raw);
  };
}

/** Every `t=` of the header within TOLERANCE_SECONDS of recur's clock, either way (and at least one). */
function isWithinTolerance(header: string, receivedAtMs: number): boolean {
  const timestamps = header.split(',').filter((part) => part.startsWith('t=')).map((part) => part.slice(2));
  return timestamps.length > 0 && timestamps.every((t) => /^\d{1,12}$/.test(t) && Math.abs(receivedAtMs / 1000 - Number(t)) <= TOLERANCE_SECONDS);
}

function hasValidSignature(raw: Buffer, header: string, secret: string, receivedAtMs: number): boolean {
  try {
    // The SDK's own check: HMAC-SHA256 over "{t}.{raw}", constant-time compare, timestamp window.
    return Stripe.webhooks.signature!.verifyHeader(raw, header, secret, TOLERANCE_SECONDS, undefined, receivedAtMs);
  } catch {
    return false;
  }
}

// Parsed only after the signature holds: nothing unauthenticated reaches a JSON parser.
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
  const { id, type, created } = envelope.data;
  return { ok: true, event: { providerEventId: id, type, payload: json, payloadText: text, providerCreatedAt: created === undefined ? null : new Date(created * 1000) } };
}
