import type { IncomingHttpHeaders } from 'node:http';

/**
 * One messaging interface for e-mail and SMS. The delivery job decides what to send; a sender
 * only sends, and says in domain words what happened. SDK types and errors end here.
 */
export type OutgoingEmail = {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The outbox row's id: rides along (SendGrid custom_args `outbox_id`) and comes back in every delivery event. */
  reference: string;
  /** The template name, as a category for the provider's statistics. */
  category: string;
};

export type OutgoingSms = {
  to: string;
  body: string;
  /** The outbox row's id, carried in the status callback URL (`?outbox_id=`). */
  reference: string;
  /** Where the provider posts status changes; null: none. */
  statusCallbackUrl: string | null;
};

export type SendResult =
  | { kind: 'sent'; providerMessageId: string }
  /** Worth trying again later: the provider was unavailable (5xx, network) or limited us (429). */
  | { kind: 'retry'; reason: string; retryAfterSeconds: number | null }
  /**
   * Will never succeed as it is: an invalid address or number, an opted-out recipient, a
   * refused sender. `optedOut`: the recipient withdrew (Twilio 21610), so consent is withdrawn.
   */
  | { kind: 'rejected'; code: string; reason: string; optedOut: boolean };

export type EmailSender = {
  send(mail: OutgoingEmail): Promise<SendResult>;
};

export type SmsSender = {
  send(sms: OutgoingSms): Promise<SendResult>;
  /**
   * After a crash between sending and recording: the id of a message to `to` with exactly this
   * body created at or after `since`, if the provider has one; null when it has none.
   */
  findSent(to: string, body: string, since: Date): Promise<string | null>;
};

/** A provider's word about one message, from a verified delivery callback. */
export type DeliveryUpdate = {
  channel: 'email' | 'sms';
  /** The outbox row's id when the callback carries it (custom_args, callback URL). */
  reference: string | null;
  /** The provider's id of the message (SendGrid's X-Message-Id part of sg_message_id; Twilio's SM… sid). */
  providerMessageId: string | null;
  /** processed, delivered, deferred, bounce, dropped (e-mail); queued, sent, delivered, undelivered, failed (SMS). */
  event: string;
  outcome: 'accepted' | 'delivered' | 'bounced' | 'failed' | 'pending';
  /** Provider's reason or error code, for people (never the message body). */
  detail: string | null;
  /** Twilio 21610 in a callback: the recipient opted out. */
  optedOut: boolean;
  at: Date;
};

export type CallbackVerification = { ok: true; updates: DeliveryUpdate[] } | { ok: false; reason: 'bad-signature' | 'stale' | 'malformed' };

/** Checks a delivery callback over the raw bytes as received, and turns it into updates. */
export type DeliveryCallbackVerifier = (input: { raw: Buffer; headers: IncomingHttpHeaders; url: string; receivedAt: Date }) => CallbackVerification;
