import type { IncomingHttpHeaders } from 'node:http';

/** What the inbox stores of a verified delivery; provider-specific parsing ends here. */
export type VerifiedEvent = {
  providerEventId: string;
  type: string;
  payload: unknown;
  providerCreatedAt: Date | null;
  /** The JSON text `payload` was parsed from, exactly as signed: stored as it is when it can be (storable-event.ts). */
  payloadText?: string;
};

/**
 * `unavailable`: the verifier could not decide because something it needs is unreachable (PayPal's
 * signing certificate): the delivery is refused with a status that makes the provider send it again.
 */
export type VerifyResult = { ok: true; event: VerifiedEvent } | { ok: false; reason: 'bad-signature' | 'malformed' | 'unavailable' };

/**
 * Checks one delivery against the raw bytes exactly as received (a re-serialized body would not
 * match the signature). `receivedAt` is recur's clock, so the replay window moves with it.
 * Asynchronous because a provider may need I/O to decide (a signing certificate fetched once and
 * cached, a verification postback); nothing is stored before the promise says `ok`.
 */
export type WebhookVerifier = (raw: Buffer, headers: IncomingHttpHeaders, receivedAt: Date) => Promise<VerifyResult>;
