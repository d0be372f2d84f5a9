import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { schemaErrors } from './mail-send-schema.ts';
import { ruleErrors, type MailSendBody } from './mail-send-rules.ts';
import { envelopesOf } from './mail-store.ts';
import { sendSendgridError } from './sendgrid-errors.ts';
import type { SendgridState } from './sendgrid-state.ts';

/** 22 characters of URL-safe base64, the form of SendGrid's X-Message-Id. */
function newMessageId(): string {
  return randomBytes(16).toString('base64url');
}

function sandboxModeOn(body: unknown): boolean {
  const settings = (body as { mail_settings?: { sandbox_mode?: { enable?: boolean } } }).mail_settings;
  return settings?.sandbox_mode?.enable === true;
}

/**
 * POST /v3/mail/send: 202 with an empty body and X-Message-Id, after the body has passed the
 * spec's schema and SendGrid's further rules. Mail due now is played out before answering, so
 * a caller that reads the inbox right after the 202 sees its outcome.
 */
export function registerMailSendRoute(api: FastifyInstance, state: SendgridState): void {
  api.post('/v3/mail/send', { bodyLimit: state.options.maxBodyBytes }, async (request, reply) => {
    const nowSeconds = state.ctx.clock.nowSeconds();
    const invalid = schemaErrors(request.body);
    const reported = new Set(invalid.map((error) => error.field));
    const errors = [...invalid, ...ruleErrors(request.body, nowSeconds).filter((error) => !reported.has(error.field))];
    if (errors.length > 0) return sendSendgridError(reply, 400, ...errors);
    const body = request.body as MailSendBody;
    // Sandbox mode (SendGrid's own dry run) validates and answers 200 without sending anything.
    if (sandboxModeOn(body)) return reply.status(200).send();

    const messageId = newMessageId();
    for (const { mail, dueAt } of envelopesOf(body, messageId, nowSeconds)) state.store.add(mail, dueAt);
    state.deliverDue();
    return reply.status(202).header('x-message-id', messageId).send();
  });
}
