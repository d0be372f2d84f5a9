import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

export type PaypalIssue = { field?: string; value?: string; location?: 'body' | 'path' | 'query'; issue: string; description: string };

/** PayPal's error body: `name`, `message`, `debug_id`, `details[]`, `links` to the error's documentation. */
export class PaypalError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
    readonly details: PaypalIssue[] = [],
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      name: this.errorName,
      message: this.message,
      debug_id: randomBytes(7).toString('hex').slice(0, 13),
      ...(this.details.length > 0 ? { details: this.details } : {}),
      links: [{ href: `https://developer.paypal.com/docs/api/overview/#error`, rel: 'information_link', method: 'GET' }],
    };
  }
}

export const paypalErrors = {
  invalidRequest: (details: PaypalIssue[]) => new PaypalError(400, 'INVALID_REQUEST', 'Request is not well-formed, syntactically incorrect, or violates schema.', details),
  unprocessable: (issue: string, description: string) =>
    new PaypalError(422, 'UNPROCESSABLE_ENTITY', 'The requested action could not be performed, semantically incorrect, or failed business validation.', [{ issue, description }]),
  notFound: (what: string) =>
    new PaypalError(404, 'RESOURCE_NOT_FOUND', 'The specified resource does not exist.', [{ issue: 'INVALID_RESOURCE_ID', description: 'Specified resource ID does not exist. Please check the resource ID and try again.', value: what }]),
  unauthorized: () => new PaypalError(401, 'AUTHENTICATION_FAILURE', 'Authentication failed due to invalid authentication credentials or a missing Authorization header.'),
  server: (status: 500 | 429 | 503) =>
    status === 429
      ? new PaypalError(429, 'RATE_LIMIT_REACHED', 'Too many requests. Blocked due to rate limiting.')
      : new PaypalError(status, status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR', 'An internal server error has occurred.'),
};

export function sendPaypalError(reply: FastifyReply, error: PaypalError): FastifyReply {
  return reply.status(error.status).header('paypal-debug-id', (error.body().debug_id as string) ?? '').send(error.body());
}

/** The OAuth endpoints answer in OAuth's shape, not PayPal's REST one. */
export function sendOauthError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply.status(status).send({ error, error_description: description });
}
