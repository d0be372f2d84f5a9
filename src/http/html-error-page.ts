import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from './error-handler.ts';
import { escapeHtml } from '../shared/escape-html.ts';

const HEADLINES: Record<number, string> = {
  400: 'This payment link is not valid',
  404: 'This payment could not be found',
  409: 'This payment could not be completed',
};

/** True when the client asked for HTML: a customer's browser rather than a program. */
export const wantsHtml = (accept: string | undefined): boolean => (accept ?? '').split(',').some((part) => part.trim().startsWith('text/html'));

/**
 * A plain page for a customer's browser when a page they were sent to cannot do its work: what
 * happened in words, nothing charged twice, and the request id to quote to the shop. Programs
 * (no `Accept: text/html`) get the usual JSON error.
 */
export function sendHtmlError(request: FastifyRequest, reply: FastifyReply, error: Error): FastifyReply {
  const httpError = toHttpError(error);
  if (httpError.status >= 500) request.log.error({ err: error }, 'request failed');
  const headline = HEADLINES[httpError.status] ?? 'Your payment is being processed';
  const advice =
    httpError.status >= 500
      ? 'We could not confirm your payment just now. If you completed it, it will be recorded shortly; you do not need to pay again.'
      : 'Nothing was recorded from this link. Please return to the shop and start again, or contact the shop.';
  const body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(headline)}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
<h1 style="font-size: 1.4rem">${escapeHtml(headline)}</h1>
<p>${escapeHtml(advice)}</p>
<p style="color: #555">${escapeHtml(httpError.message)}</p>
<p style="color: #777; font-size: 0.9rem">Reference: <code>${escapeHtml(request.id)}</code></p>
</body>
</html>
`;
  return reply.status(httpError.status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}
