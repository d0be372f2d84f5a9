import type { FastifyReply } from 'fastify';

/** The error types of the pinned API version (`Stripe.PaymentIntent.LastPaymentError.Type`); a rate limit is an invalid request with code `rate_limit`. */
export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

/** The body Stripe sends under `error`; extra fields (payment_intent, charge, …) come with card errors. */
export type StripeErrorBody = {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
  [extra: string]: unknown;
};

/** Thrown by handlers and services; the route layer turns it into Stripe's error response. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;
}

function invalid(message: string, extra: Partial<StripeErrorBody> = {}, status = 400): StripeApiError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message, ...extra };
  if (body.code && !body.doc_url) body.doc_url = docUrl(body.code);
  return new StripeApiError(status, body);
}

export const stripeErrors = {
  invalidRequest: (message: string, param?: string, code?: string) => invalid(message, { ...(param ? { param } : {}), ...(code ? { code } : {}) }),
  /** `param` is bracketed as sent: `subscription_data[trail_period_days]`, `items[0][prce]`. */
  unknownParameter: (param: string) => invalid(`Received unknown parameter: ${param}`, { code: 'parameter_unknown', param }),
  missingParam: (param: string) => invalid(`Missing required param: ${param}.`, { code: 'parameter_missing', param }),
  invalidInteger: (param: string, value: unknown) => invalid(`Invalid integer: ${String(value)}`, { code: 'parameter_invalid_integer', param }),
  invalidBoolean: (param: string, value: unknown) => invalid(`Invalid boolean: ${String(value)}`, { code: 'parameter_invalid_boolean', param }),
  invalidEnum: (param: string, value: unknown, allowed: readonly string[]) =>
    invalid(`Invalid ${param}: must be one of ${allowed.join(', ')}`, { code: value === '' ? 'parameter_invalid_empty' : 'parameter_invalid_string', param }),
  /** `param` set: an id given as a parameter (400); unset: an id in the URL (404). */
  resourceMissing: (kind: string, id: string, param?: string) =>
    invalid(`No such ${kind}: '${id}'`, { code: 'resource_missing', param: param ?? 'id' }, param ? 400 : 404),
  unrecognizedUrl: (method: string, url: string) =>
    invalid(`Unrecognized request URL (${method}: ${url}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, {}, 404),
  idempotencyMismatch: (key: string) =>
    new StripeApiError(400, {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    }),
  idempotencyInFlight: () =>
    new StripeApiError(409, {
      type: 'idempotency_error',
      code: 'idempotency_key_in_use',
      message: 'There is currently another in-progress request using this Stripe API key and Idempotency-Key. Try again later.',
    }),
  /** Real Stripe answers a bad or missing key with 401 and type invalid_request_error. */
  authentication: (message: string) => invalid(message, {}, 401),
  card: (code: string, message: string, extra: Partial<StripeErrorBody> = {}) =>
    new StripeApiError(402, { type: 'card_error', code, message, doc_url: docUrl(code), ...extra }),
  server: (status: 500 | 503) =>
    new StripeApiError(status, { type: 'api_error', message: "Something went wrong on Stripe's end. (The sandbox was told to fail this request.)" }),
  /** The SDK makes any 429 a `StripeRateLimitError`, whatever the type. */
  rateLimit: () =>
    new StripeApiError(429, {
      type: 'invalid_request_error',
      code: 'rate_limit',
      doc_url: docUrl('rate_limit'),
      message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
    }),
};

export function sendStripeError(reply: FastifyReply, error: StripeApiError): FastifyReply {
  // Stripe tells the SDK not to retry answers that would fail the same way again.
  if (error.status < 500 && error.status !== 409 && error.status !== 429) reply.header('stripe-should-retry', 'false');
  return reply.status(error.status).type('application/json').send({ error: error.body });
}
