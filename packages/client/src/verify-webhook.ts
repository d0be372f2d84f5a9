import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { isRecurEventType, type RecurEvent } from './events.js';

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** Why a delivery was refused: not signed with the secret (or too old), or not an event this client knows. */
export class RecurWebhookError extends Error {
  constructor(
    readonly reason: 'bad_signature' | 'bad_payload' | 'unknown_event_type',
    message: string,
  ) {
    super(message);
    this.name = 'RecurWebhookError';
  }
}

const SIGNED_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function signedHeaders(headers: WebhookHeaders): Record<string, string> {
  const read = (name: string): string | undefined => {
    if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
    const record = headers as Record<string, string | string[] | undefined>;
    const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
    const value = key === undefined ? undefined : record[key];
    return Array.isArray(value) ? value.join(' ') : value;
  };
  const found: Record<string, string> = {};
  for (const name of SIGNED_HEADERS) {
    const value = read(name);
    if (value === undefined) throw new RecurWebhookError('bad_signature', `the ${name} header is missing`);
    found[name] = value;
  }
  return found;
}

/**
 * Checks a delivery from recur and answers its event, typed by its `type`. `rawBody` is the body
 * exactly as received (parse nothing before: the signature is over the bytes); `headers` as the
 * web framework gives them (Node's, or a Fetch `Headers`); `secret` the endpoint's `whsec_…`
 * secret. During a secret rotation recur signs with both secrets, so either one verifies.
 * Throws RecurWebhookError: answer 400 for `bad_signature` / `bad_payload`; an
 * `unknown_event_type` comes from a newer recur, answer 2xx to skip it.
 */
export function verifyWebhook(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string): RecurEvent {
  let payload: unknown;
  try {
    payload = new Webhook(secret).verify(rawBody, signedHeaders(headers));
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new RecurWebhookError('bad_signature', error.message);
    if (error instanceof SyntaxError) throw new RecurWebhookError('bad_payload', 'the body is not JSON');
    throw error;
  }
  if (typeof payload !== 'object' || payload === null) throw new RecurWebhookError('bad_payload', 'the body is not an event object');
  const event = payload as Record<string, unknown>;
  if (typeof event['type'] !== 'string' || typeof event['timestamp'] !== 'string' || typeof event['data'] !== 'object' || event['data'] === null) {
    throw new RecurWebhookError('bad_payload', 'the event has no type, timestamp or data');
  }
  const sequence = (event['data'] as Record<string, unknown>)['sequence'];
  if (typeof sequence !== 'number') throw new RecurWebhookError('bad_payload', 'the event carries no sequence number');
  if (!isRecurEventType(event['type'])) throw new RecurWebhookError('unknown_event_type', `"${event['type']}" is not an event type this client knows`);
  return { ...event, sequence } as RecurEvent;
}
