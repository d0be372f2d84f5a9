import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from './error-handler.ts';
import { escapeHtml } from '../shared/escape-html.ts';
import { renderHtmlPage, type PageLocale } from './render-html-page.ts';

type PageWords = { headlines: Record<number, string>; processing: string; retryLater: string; startAgain: string; reference: string };

const WORDS: Record<PageLocale, PageWords> = {
  nl: {
    headlines: { 400: 'Deze betaallink is niet geldig', 404: 'Deze betaling is niet gevonden', 409: 'Deze betaling kon niet worden afgerond' },
    processing: 'Je betaling wordt verwerkt',
    retryLater: 'We konden je betaling nu niet bevestigen. Heb je betaald, dan wordt dat zo snel mogelijk verwerkt; je hoeft niet opnieuw te betalen.',
    startAgain: 'Via deze link is niets vastgelegd. Ga terug naar de winkel en begin opnieuw, of neem contact op met de winkel.',
    reference: 'Referentie',
  },
  en: {
    headlines: { 400: 'This payment link is not valid', 404: 'This payment could not be found', 409: 'This payment could not be completed' },
    processing: 'Your payment is being processed',
    retryLater: 'We could not confirm your payment just now. If you completed it, it will be recorded shortly; you do not need to pay again.',
    startAgain: 'Nothing was recorded from this link. Please return to the shop and start again, or contact the shop.',
    reference: 'Reference',
  },
};

/** True when the client asked for HTML: a customer's browser rather than a program. */
export const wantsHtml = (accept: string | undefined): boolean => (accept ?? '').split(',').some((part) => part.trim().startsWith('text/html'));

/**
 * A plain page for a customer's browser when a page they were sent to cannot do its work: what
 * happened in words of their language, that nothing is charged twice, and the request id to quote
 * to the shop. The error's own message stays out: it is English and written for programs, which
 * (no `Accept: text/html`) get the usual JSON error.
 */
export function sendHtmlError(request: FastifyRequest, reply: FastifyReply, error: Error, locale: PageLocale): FastifyReply {
  const httpError = toHttpError(error);
  if (httpError.status >= 500) request.log.error({ err: error }, 'request failed');
  const words = WORDS[locale];
  const headline = words.headlines[httpError.status] ?? words.processing;
  const advice = httpError.status >= 500 ? words.retryLater : words.startAgain;
  const note = `<p style="color: #777; font-size: 0.9rem">${words.reference}: <code>${escapeHtml(request.id)}</code></p>`;
  const body = renderHtmlPage(locale, headline, [{ lang: locale, title: headline, paragraphs: [advice] }], note);
  return reply.status(httpError.status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}
