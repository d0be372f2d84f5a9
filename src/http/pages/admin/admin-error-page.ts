import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from '../../error-handler.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { sendAdminMessage } from './admin-page.ts';

const HEADINGS: Record<number, string> = {
  400: 'This request cannot be used',
  404: 'Not found',
  409: 'This cannot be done now',
  502: 'The payment provider did not answer as expected',
  503: 'This is not available right now',
};

/**
 * Where a failed action's page sends the staff member back to: the thing it was about
 * (`/admin/subscriptions/{id}` for `/admin/subscriptions/{id}/cancel`), else the list it belongs to.
 */
export function backLinkOf(url: string): { href: string; label: string } {
  const segments = url.split('?')[0]!.split('/').filter(Boolean);
  if (segments.length >= 3 && WITH_OWN_PAGES.has(segments[1]!)) return { href: `/${segments.slice(0, 3).join('/')}`, label: 'Back' };
  if (segments.length >= 2) return { href: `/${segments.slice(0, 2).join('/')}`, label: 'Back to the list' };
  return { href: '/admin', label: 'Overview' };
}

// Lists whose items have a page of their own (a notice has none: its retry goes back to the list).
const WITH_OWN_PAGES = new Set(['subscriptions', 'customers']);

/**
 * A failure of a dashboard page or action as a page: staff read recur's own message (what was
 * refused and why), since they act on it; an unexpected failure is logged and named by request id.
 * A refusal (4xx) changed nothing: each service checks before it writes. After a provider's failure
 * recur recorded nothing, but cannot say what the provider did: the webhook or the next
 * reconciliation tells.
 */
export function createAdminErrorPage(renderer: PageRenderer) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const httpError = toHttpError(error);
    if (httpError.status >= 500) request.log.error({ err: error }, 'admin page failed');
    const heading = HEADINGS[httpError.status] ?? 'Something went wrong';
    const message = httpError.status === 500 ? `Nothing more is known here; the log has it under request id ${request.id}.` : `${httpError.message}.`;
    const outcome = httpError.status < 500 ? 'Nothing was changed.' : 'recur recorded nothing; the provider\'s webhook or the next reconciliation will show whether it changed anything there.';
    return sendAdminMessage(reply, renderer, httpError.status, { heading, paragraphs: [message, outcome], action: backLinkOf(request.url) });
  };
}
