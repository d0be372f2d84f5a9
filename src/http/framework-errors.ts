import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../shared/errors.ts';
import { answerError, sendError } from './error-handler.ts';

type FrameworkAnswer = { status: number; code: ErrorCode; message: string };

// Node's parser and timers fail a connection before a request exists; the codes are Node's.
const CLIENT_ERRORS: Record<string, FrameworkAnswer> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', message: 'the request was not received in time; send it again, all at once' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers_too_large', message: 'the request headers are larger than allowed' },
};
const NOT_HTTP: FrameworkAnswer = { status: 400, code: 'bad_request', message: 'the request is not valid HTTP' };

/**
 * Fastify's `clientErrorHandler`: a connection that failed before it became a request (headers or
 * body too slow, headers too large, not HTTP) gets recur's error shape, with an id of its own
 * since there is no request to carry one, and is closed. Nothing of what was received is echoed.
 */
export function createClientErrorHandler(log: FastifyBaseLogger): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const answer = CLIENT_ERRORS[error.code ?? ''] ?? NOT_HTTP;
    const requestId = randomUUID();
    log.info({ requestId, status: answer.status, reason: error.code ?? 'unknown' }, 'connection refused before a request');
    if (socket.writable) {
      const body = JSON.stringify({ error: { code: answer.code, message: answer.message, requestId } });
      socket.write(
        `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-Id: ${requestId}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

// The router's refusals, before any route (and its hooks) is found; the path is not echoed.
const ROUTER_ERRORS: Record<string, FrameworkAnswer> = {
  FST_ERR_BAD_URL: { status: 400, code: 'bad_request', message: 'the request path is not a valid URL (a bad percent-encoding)' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long', message: 'a segment of the request path is longer than any id recur accepts' },
};

/** Fastify's `frameworkErrors`: the router's refusals in recur's shape; anything else as any error. */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // No route, so no onSend hook sets these.
  reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff');
  const known = ROUTER_ERRORS[error.code];
  if (known) return sendError(request, reply, known);
  return answerError(error, request, reply);
}
