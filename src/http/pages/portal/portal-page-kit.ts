import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { PortalViewer } from '../../../services/portal/read-portal-session.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import { readAcceptedLocale } from '../../choose-page-locale.ts';
import { toHttpError } from '../../error-handler.ts';
import type { PageLocale } from '../../render-html-page.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { portalText, type PortalWords } from './portal-text.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The portal session of this request, set by the portal's session check. */
    portal?: { viewer: PortalViewer; sessionId: string };
  }
}

type MessageOptions = { action?: { href: string; label: string } | undefined; locale?: PageLocale };

/** What the portal's routes share: rendering in the viewer's language, and pages that say what went wrong. */
export type PortalPageKit = {
  localeOf(request: FastifyRequest): PageLocale;
  send(reply: FastifyReply, status: number, html: string): FastifyReply;
  /** A page with a heading and sentences in the layout, the way back to the shop in it. */
  sendMessage(request: FastifyRequest, reply: FastifyReply, status: number, message: (words: PortalWords) => { heading: string; paragraphs: string[] }, options?: MessageOptions): FastifyReply;
  answerError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply;
};

export function createPortalPageKit(ctx: ServiceContext, renderer: PageRenderer): PortalPageKit {
  const localeOf = (request: FastifyRequest): PageLocale => request.portal?.viewer.locale ?? readAcceptedLocale(request.headers['accept-language']) ?? ctx.config.DEFAULT_LOCALE;
  const send = (reply: FastifyReply, status: number, html: string) => reply.status(status).type('text/html; charset=utf-8').send(html);
  const sendMessage: PortalPageKit['sendMessage'] = (request, reply, status, message, options = {}) => {
    const locale = options.locale ?? localeOf(request);
    const { heading, paragraphs } = message(portalText(locale));
    return send(reply, status, renderer.render('message', { locale, title: heading, backUrl: request.portal?.viewer.returnUrl ?? null }, { heading, paragraphs, action: options.action ?? null }));
  };
  return {
    localeOf,
    send,
    sendMessage,
    answerError(error, request, reply) {
      const { status } = toHttpError(error);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      // A malformed id reads like an unknown one: the portal tells nothing about ids it does not show.
      if (status === 400 || status === 404) return sendMessage(request, reply, 404, (w) => ({ heading: w.notFoundTitle, paragraphs: [w.notFound] }), { action: overviewLink(request, localeOf) });
      if (status === 409) return sendMessage(request, reply, 409, (w) => ({ heading: w.conflictTitle, paragraphs: [w.conflict] }), { action: overviewLink(request, localeOf) });
      return sendMessage(request, reply, status, (w) => ({ heading: w.errorTitle, paragraphs: [w.error] }));
    },
  };
}

const overviewLink = (request: FastifyRequest, localeOf: (request: FastifyRequest) => PageLocale) =>
  request.portal ? { href: '/portal', label: portalText(localeOf(request)).backToOverview } : undefined;
