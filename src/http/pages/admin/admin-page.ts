import type { FastifyReply } from 'fastify';
import type { PageRenderer } from '../page-renderer.ts';
import { adminFormat } from './admin-format.ts';

/**
 * A dashboard page in the layout, in English, never cached: it holds customers' data, and a
 * shared computer's back button must not show it after sign-out.
 */
export function sendAdminPage(reply: FastifyReply, renderer: PageRenderer, status: number, view: string, title: string, data: Record<string, unknown>): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(renderer.render(view, { locale: 'en', title }, { ...data, fmt: adminFormat }));
}

/** A page that only says what happened and where to go on. */
export function sendAdminMessage(reply: FastifyReply, renderer: PageRenderer, status: number, message: { heading: string; paragraphs: string[]; action: { href: string; label: string } | null }): FastifyReply {
  return sendAdminPage(reply, renderer, status, 'message', message.heading, message);
}
