import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../core/sandbox-provider.ts';
import { createMessage, type FormParams } from './create-message.ts';
import { deliverMessage } from './deliver-message.ts';
import { messageJson, type MessageStore } from './message-store.ts';
import { postStatusCallback } from './status-callback.ts';
import type { TwilioCredentials } from './twilio-auth.ts';
import { sendTwilioError } from './twilio-errors.ts';

type AccountParams = { AccountSid: string };
type ListQuery = { To?: string; From?: string; PageSize?: string; Page?: string };

function pageNumber(value: string | undefined, fallback: number, max: number): number {
  const parsed = Number.parseInt(value ?? '', 10);
  return Number.isFinite(parsed) && parsed >= 0 ? Math.min(parsed, max) : fallback;
}

/** Twilio's Messages resource: create (form body, 201), fetch one, list newest first in pages. */
export function registerMessagesRoutes(api: FastifyInstance, ctx: SandboxContext, store: MessageStore, credentials: TwilioCredentials): void {
  const base = '/2010-04-01/Accounts/:AccountSid';

  api.post<{ Params: AccountParams }>(`${base}/Messages.json`, async (request, reply) => {
    const now = ctx.clock.now();
    const created = createMessage((request.body ?? {}) as FormParams, request.params.AccountSid, store, now);
    if (!created.ok) return sendTwilioError(reply, created.refusal);
    // The answer shows the message as created (queued); its journey happens right after.
    const answer = messageJson(created.record);
    deliverMessage(created.record, now, (record) => postStatusCallback(ctx, credentials.authToken, record));
    return reply.status(201).send(answer);
  });

  api.get<{ Params: AccountParams & { Sid: string } }>(`${base}/Messages/:Sid.json`, async (request, reply) => {
    const record = store.get(request.params.AccountSid, request.params.Sid);
    if (!record) return sendTwilioError(reply, { code: 20404, message: `The requested resource ${request.url.replace(/^\/twilio/, '').split('?')[0]} was not found` });
    return messageJson(record);
  });

  api.get<{ Params: AccountParams; Querystring: ListQuery }>(`${base}/Messages.json`, async (request) => {
    const { AccountSid: accountSid } = request.params;
    const { To: to, From: from } = request.query;
    const pageSize = Math.max(pageNumber(request.query.PageSize, 50, 1000), 1);
    const page = pageNumber(request.query.Page, 0, Number.MAX_SAFE_INTEGER);
    const all = store.list({ accountSid, ...(to ? { to } : {}), ...(from ? { from } : {}) });
    const start = page * pageSize;
    const slice = all.slice(start, start + pageSize);
    const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
    const uriFor = (n: number, token?: string) => {
      const query = new URLSearchParams({ ...(to ? { To: to } : {}), ...(from ? { From: from } : {}), PageSize: String(pageSize), Page: String(n) });
      if (token) query.set('PageToken', token);
      return `${path}?${query.toString()}`;
    };
    const last = slice.at(-1);
    return {
      messages: slice.map(messageJson),
      end: slice.length > 0 ? start + slice.length - 1 : start,
      first_page_uri: uriFor(0),
      next_page_uri: start + pageSize < all.length && last ? uriFor(page + 1, `PA${last.sid}`) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? uriFor(page - 1) : null,
      start,
      uri: uriFor(page),
    };
  });
}
