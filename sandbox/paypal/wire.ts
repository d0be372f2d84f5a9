import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { paypalErrors, PaypalError, sendOauthError, sendPaypalError, type PaypalIssue } from './paypal-errors.ts';
import { paypalIds } from './ids.ts';
import type { PaypalRuntime } from './runtime.ts';

/** Access tokens live nine hours, as PayPal's do. */
export const TOKEN_LIFETIME_SECONDS = 32_400;

/** PayPal keeps a PayPal-Request-Id's answer 72 hours (of real time, like tokens). */
const REPLAY_KEPT_MS = 72 * 3_600_000;

export type Answer = { status: number; body?: unknown };
type Handler = (request: FastifyRequest) => Answer | Promise<Answer>;

/** PayPal's issue code and its fixed description (the specifications enumerate both) for a validation failure. */
function paypalIssueOf(issue: z.core.$ZodIssue): { issue: string; description: string } {
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return { issue: 'MISSING_REQUIRED_PARAMETER', description: 'A required field is missing.' };
  if (issue.code === 'too_small' && issue.origin === 'string') return { issue: 'INVALID_STRING_MIN_LENGTH', description: 'The value of a field is too short.' };
  if (issue.code === 'too_big' && issue.origin === 'string') return { issue: 'INVALID_STRING_MAX_LENGTH', description: 'The value of a field is too long.' };
  if (issue.code === 'too_small' && issue.origin === 'number') return { issue: 'INVALID_INTEGER_MIN_VALUE', description: 'The integer value of a field is too small.' };
  if (issue.code === 'too_big' && issue.origin === 'number') return { issue: 'INVALID_INTEGER_MAX_VALUE', description: 'The integer value of a field is too large.' };
  if (issue.code === 'invalid_format') return { issue: 'INVALID_PARAMETER_SYNTAX', description: 'The value of a field does not conform to the expected format.' };
  return { issue: 'INVALID_PARAMETER_VALUE', description: 'The value of a field is invalid.' };
}

/** The body parsed with `schema`, or PayPal's INVALID_REQUEST naming each field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const details: PaypalIssue[] = parsed.error.issues.map((issue) => ({ field: `/${issue.path.join('/')}`, location: 'body', ...paypalIssueOf(issue) }));
  throw paypalErrors.invalidRequest(details);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The OAuth2 client-credentials grant. Tokens expire by wall time, not by the sandbox clock: the
 * SDKs cache a token for `expires_in` seconds of real time, and a test moving the clock by 30 days
 * must not leave every cached token dead while its client still believes it valid.
 */
export function registerTokenRoute(api: FastifyInstance, rt: PaypalRuntime): void {
  api.post('/v1/oauth2/token', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    const separator = decoded.indexOf(':');
    const [id, secret] = separator < 0 ? ['', ''] : [decoded.slice(0, separator), decoded.slice(separator + 1)];
    if (!sameSecret(id, rt.credentials.clientId) || !sameSecret(secret, rt.credentials.clientSecret)) {
      return sendOauthError(reply, 401, 'invalid_client', 'Client Authentication failed');
    }
    const form = (request.body ?? {}) as Record<string, string>;
    if (form.grant_type !== 'client_credentials') return sendOauthError(reply, 400, 'unsupported_grant_type', 'Grant Type is NULL or not supported');
    const token = paypalIds.token();
    const nowMs = Date.now();
    for (const [known, expiresAt] of Object.entries(rt.data.tokens)) if (expiresAt <= nowMs) delete rt.data.tokens[known];
    rt.data.tokens[token] = nowMs + TOKEN_LIFETIME_SECONDS * 1000;
    return {
      scope: 'https://uri.paypal.com/services/subscriptions https://uri.paypal.com/services/payments/refund https://uri.paypal.com/services/disputes/read-seller https://uri.paypal.com/services/disputes/update-seller https://api.paypal.com/v1/payments/.* openid',
      access_token: token,
      token_type: 'Bearer',
      app_id: 'APP-80W284485P519543T',
      expires_in: TOKEN_LIFETIME_SECONDS,
      nonce: `${rt.nowIso()}${token.slice(-12)}`,
    };
  });
}

/** Every API call but the token grant and the certificate download needs a live bearer token. */
export function installBearerAuth(api: FastifyInstance, rt: PaypalRuntime, open: (url: string) => boolean): void {
  api.addHook('preHandler', async (request, reply) => {
    const url = request.routeOptions.url ?? request.url;
    if (open(url)) return;
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const expiresAt = token ? rt.data.tokens[token] : undefined;
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      if (expiresAt !== undefined) delete rt.data.tokens[token];
      return reply.status(401).send({ error: 'invalid_token', error_description: token ? 'Token signature verification failed' : 'No permission for the requested operation' });
    }
  });
}

/** PayPal's error shape for everything thrown, malformed JSON included. */
export function installPaypalErrorHandler(api: FastifyInstance): void {
  api.setErrorHandler((error, _request, reply) => {
    if (error instanceof PaypalError) return sendPaypalError(reply, error);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendPaypalError(reply, paypalErrors.invalidRequest([{ issue: 'MALFORMED_REQUEST_JSON', description: 'The request JSON is not well formed.' }]));
    }
    return sendPaypalError(reply, paypalErrors.server(500));
  });
  api.setNotFoundHandler((_request, reply) => sendPaypalError(reply, new PaypalError(404, 'NOT_FOUND', 'The specified resource does not exist.')));
  // PayPal takes an empty body as no body (the SDK captures an order with `Content-Type: application/json` and nothing after it).
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('malformed JSON'), { statusCode: 400 }), undefined);
    }
  });
  api.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
}

/**
 * A POST with `PayPal-Request-Id`: the same id with the same body answers what the first call
 * answered and creates nothing; the same id with another body is refused (PayPal keeps the first).
 */
export function idempotentPost(api: FastifyInstance, rt: PaypalRuntime, url: string, handler: Handler): void {
  let stored = 0;
  api.post(url, async (request, reply) => {
    const requestId = request.headers['paypal-request-id'];
    const key = typeof requestId === 'string' && requestId ? `${request.url.split('?')[0]} ${requestId}` : null;
    const fingerprint = createHash('sha256').update(JSON.stringify(request.body ?? null)).digest('hex');
    if (key) {
      const replay = rt.data.idempotency[key];
      if (replay && replay.at >= Date.now() - REPLAY_KEPT_MS) {
        if (replay.fingerprint !== fingerprint) throw paypalErrors.unprocessable('DUPLICATE_REQUEST_ID', 'The PayPal-Request-Id was already used with another request body.');
        return reply.status(replay.status).send(replay.body);
      }
    }
    const answer = await handler(request);
    if (key) {
      const now = Date.now();
      // Expired answers are swept now and then, not at every call (a benchmark stores many).
      if (++stored % 500 === 0) for (const [known, replay] of Object.entries(rt.data.idempotency)) if (replay.at < now - REPLAY_KEPT_MS) delete rt.data.idempotency[known];
      rt.data.idempotency[key] = { fingerprint, status: answer.status, body: answer.body ?? null, at: now };
    }
    return answer.body === undefined ? reply.status(answer.status).send() : reply.status(answer.status).send(answer.body);
  });
}
