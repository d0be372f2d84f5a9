import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './error-handler.ts';
import { AddressCounter } from './address-counter.ts';

export type WebhookLimits = {
  /** Verified deliveries a minute per client address; 0: no limit. */
  verifiedPerMinute: number;
  /** Refused requests (no or a wrong signature, malformed, unknown provider) a minute per address; 0: no limit. */
  unverifiedPerMinute: number;
};

// The header each sender signs with, by the last path segment; a request without it is refused
// before its body is read. Wire facts of each provider's documentation.
const SIGNATURE_HEADERS: Readonly<Record<string, string>> = {
  stripe: 'stripe-signature',
  sendgrid: 'x-twilio-email-event-webhook-signature',
  twilio: 'x-twilio-signature',
};

// Answers that say the sender could not prove who it is (413: no provider sends that much).
const UNVERIFIED_STATUSES: ReadonlySet<number> = new Set([400, 404, 413, 415]);

/**
 * Guards `/webhooks/*` so that junk cannot spend the providers' budget: unsigned requests are
 * refused before their body is read, and the two kinds of traffic are counted apart per client
 * address (as resolved with TRUST_PROXY). An address over its budget of refusals gets 429 before
 * anything is read; verified senders are counted only by what verified, so a flood of junk from
 * one client never holds Stripe's, SendGrid's or Twilio's deliveries at 429.
 */
export function installWebhookPerimeter(app: FastifyInstance, limits: WebhookLimits): void {
  const verified = limits.verifiedPerMinute > 0 ? new AddressCounter(limits.verifiedPerMinute, 60_000) : null;
  const unverified = limits.unverifiedPerMinute > 0 ? new AddressCounter(limits.unverifiedPerMinute, 60_000) : null;

  app.addHook('onRequest', async (request, reply) => {
    const refusedFor = unverified?.retryAfterSeconds(request.ip);
    if (refusedFor) return refuse(request, reply, refusedFor, `too many unverified webhook requests from this address; retry after ${refusedFor} s`);
    const waitFor = verified?.retryAfterSeconds(request.ip);
    if (waitFor) return refuse(request, reply, waitFor, `more than ${limits.verifiedPerMinute} webhook deliveries a minute from this address; retry after ${waitFor} s`);
    const header = SIGNATURE_HEADERS[request.url.split('?')[0]!.split('/').at(-1) ?? ''];
    if (header && request.headers[header] === undefined) {
      // The body stays unread: the connection is closed rather than drained.
      reply.header('connection', 'close');
      return sendError(request, reply, { status: 400, code: 'invalid_signature', message: `the ${header} header is missing` });
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 200 && reply.statusCode < 300) verified?.add(request.ip);
    else if (UNVERIFIED_STATUSES.has(reply.statusCode)) unverified?.add(request.ip);
  });
}

function refuse(request: FastifyRequest, reply: FastifyReply, retryAfterSeconds: number, message: string): FastifyReply {
  reply.header('retry-after', String(retryAfterSeconds)).header('connection', 'close');
  return sendError(request, reply, { status: 429, code: 'rate_limited', message });
}
