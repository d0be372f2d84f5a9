import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { messageJson, type MessageStore } from './message-store.ts';
import { isE164 } from './phone-numbers.ts';
import { renderSmsInbox, smsInboxContentSecurityPolicy } from './render-sms-inbox.ts';

type InboxQuery = { format?: string; to?: string };

const numberBody = z.object({ number: z.string().refine(isE164, 'an E.164 number such as +31612345678') }).strict();

function sendHtml(reply: FastifyReply, html: string): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('content-security-policy', smsInboxContentSecurityPolicy).header('x-content-type-options', 'nosniff').send(html);
}

/**
 * The sandbox's own view of every SMS (JSON, and an HTML inbox for a demo), and the stand-in for
 * a recipient texting STOP / START: opting a number out makes Twilio refuse it with 21610.
 */
export function registerSmsInboxRoutes(app: FastifyInstance, store: MessageStore): void {
  const listed = (to?: string) => store.list(to ? { to } : {}).map(messageJson);

  app.get<{ Querystring: InboxQuery }>('/sandbox/sms', async (request, reply) => {
    const messages = listed(request.query.to);
    if (request.query.format === 'html') return sendHtml(reply, renderSmsInbox(messages, store.optedOutNumbers()));
    return { data: messages, opted_out: store.optedOutNumbers() };
  });

  app.get('/sandbox/sms.html', async (_request, reply) => sendHtml(reply, renderSmsInbox(listed(), store.optedOutNumbers())));

  app.get<{ Params: { sid: string } }>('/sandbox/sms/:sid', async (request, reply) => {
    const record = store.find(request.params.sid);
    if (!record) return reply.status(404).send({ error: { code: 'not_found', message: `no message ${request.params.sid}` } });
    return messageJson(record);
  });

  for (const [path, apply] of [
    ['/sandbox/sms/opt-out', (number: string) => store.optOut(number)],
    ['/sandbox/sms/opt-in', (number: string) => store.optIn(number)],
  ] as const) {
    app.post(path, async (request, reply) => {
      const parsed = numberBody.safeParse(request.body ?? {});
      if (!parsed.success) return reply.status(400).send({ error: { code: 'invalid_request', message: parsed.error.issues.map((issue) => issue.message).join('; ') } });
      apply(parsed.data.number);
      return { opted_out: store.optedOutNumbers() };
    });
  }
}
