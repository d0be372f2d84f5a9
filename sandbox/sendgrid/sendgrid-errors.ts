import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/**
 * One entry of SendGrid's error list. `help` is left out on purpose: the Mail Send spec types it
 * as an object while live SendGrid sends a URL string or null, and the spec's own examples omit it.
 */
export type SendgridError = { message: string; field: string | null };

export type SendgridErrorBody = { errors: SendgridError[] };

export function sendgridErrors(...errors: SendgridError[]): SendgridErrorBody {
  return { errors };
}

export function sendSendgridError(reply: FastifyReply, status: number, ...errors: SendgridError[]): FastifyReply {
  return reply.status(status).type('application/json').send(sendgridErrors(...errors));
}

const faultMessages: Record<500 | 429 | 503, string> = {
  500: 'internal server error',
  429: 'too many requests',
  503: 'service unavailable',
};

/** The answer of an injected request fault, in SendGrid's shape. */
export function sendSendgridFault(reply: FastifyReply, status: 500 | 429 | 503): FastifyReply {
  return sendSendgridError(reply, status, { message: faultMessages[status], field: null });
}

/** Fastify's own failures (bad JSON, body over the limit, wrong media type) in SendGrid's shape. */
export function installSendgridErrorHandlers(api: FastifyInstance): void {
  api.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status === 413) return sendSendgridError(reply, 413, { message: 'content too large', field: null });
    if (status >= 500) return sendSendgridError(reply, status, { message: 'internal server error', field: null });
    return sendSendgridError(reply, status, { message: `Bad Request: ${error.message}`, field: null });
  });
  api.setNotFoundHandler((_request, reply) => sendSendgridError(reply, 404, { message: 'resource not found', field: null }));
}
