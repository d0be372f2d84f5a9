import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { RecurError, type ErrorCode } from '../shared/errors.ts';

type HttpError = { status: number; code: ErrorCode; message: string; details?: Readonly<Record<string, string>> | undefined };

// Fastify's own failures before a handler runs, in recur's vocabulary.
const FASTIFY_CODES: Record<string, Omit<HttpError, 'status'> & { status?: number }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', message: 'send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'malformed_json', message: 'the Content-Length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed_json', message: 'the body is empty; send a JSON object' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed_json', message: 'the body is not valid JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'the body is larger than allowed' },
};

export function toHttpError(error: FastifyError | Error): HttpError {
  if (error instanceof RecurError) return { status: error.status, code: error.code, message: error.message, details: error.details };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext ?? 'request';
    const details = error.validation.map((issue) => {
      const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
      return `${where}${path ? `.${path}` : ''}: ${issue.message}`;
    });
    return { status: 400, code: 'validation_failed', message: details.join('; ') };
  }
  const fastifyCode = (error as FastifyError).code;
  const known = fastifyCode ? FASTIFY_CODES[fastifyCode] : undefined;
  if (known) return { status: known.status ?? statusOf(known.code), code: known.code, message: known.message };
  // secure-json-parse rejects bodies that are not JSON or that carry __proto__/constructor keys.
  if (error instanceof SyntaxError || (error as FastifyError).statusCode === 400) {
    return { status: 400, code: 'malformed_json', message: `the body is not acceptable JSON: ${error.message}` };
  }
  return { status: 500, code: 'internal_error', message: 'an internal error occurred; it has been logged with this request id' };
}

function statusOf(code: ErrorCode): number {
  return new RecurError(code, '').status;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: HttpError): FastifyReply {
  return reply.status(error.status).send({ error: { code: error.code, message: error.message, requestId: request.id, ...(error.details ? { details: error.details } : {}) } });
}

/** The JSON error answer for a thrown error; a 5xx is logged with its cause. */
export function answerError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const httpError = toHttpError(error);
  if (httpError.status >= 500) request.log.error({ err: error }, 'request failed');
  return sendError(request, reply, httpError);
}

/** Every failure, from any route or from Fastify itself, answers the one error shape. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(answerError);
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, { status: 404, code: 'route_not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}
