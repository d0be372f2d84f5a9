import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MailStore } from './mail-store.ts';
import { inboxContentSecurityPolicy, renderMailInbox } from './render-mail-inbox.ts';

type InboxQuery = { format?: string; message_id?: string; to?: string };

function sendHtml(reply: FastifyReply, html: string): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('content-security-policy', inboxContentSecurityPolicy).header('x-content-type-options', 'nosniff').send(html);
}

/** The sandbox's own view of every mail: JSON for tests, an HTML inbox for a person at a demo. */
export function registerMailInboxRoutes(app: FastifyInstance, store: MailStore): void {
  app.get<{ Querystring: InboxQuery }>('/sandbox/mail', async (request, reply) => {
    const { format, message_id: messageId, to } = request.query;
    const mails = store.list({ ...(messageId ? { messageId } : {}), ...(to ? { to } : {}) });
    if (format === 'html') return sendHtml(reply, renderMailInbox(mails));
    return { data: mails };
  });

  app.get('/sandbox/mail.html', async (_request, reply) => sendHtml(reply, renderMailInbox(store.list())));

  app.get<{ Params: { id: string } }>('/sandbox/mail/:id', async (request, reply) => {
    const mail = store.get(request.params.id);
    if (!mail) return reply.status(404).send({ error: { code: 'not_found', message: `no mail ${request.params.id}` } });
    return mail;
  });
}
