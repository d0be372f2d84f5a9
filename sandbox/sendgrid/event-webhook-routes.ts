import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { eventTypes, type EventType } from './event-webhook.ts';
import { sendSendgridError } from './sendgrid-errors.ts';
import type { SendgridState } from './sendgrid-state.ts';

const httpUrl = z.union([z.literal(''), z.url({ protocol: /^https?$/ })]);

const settingsPatch = z
  .object({
    enabled: z.boolean(),
    url: httpUrl,
    ...(Object.fromEntries(eventTypes.map((type) => [type, z.boolean()])) as Record<EventType, z.ZodBoolean>),
  })
  .partial()
  .strict();

const signedPatch = z.object({ enabled: z.boolean() }).strict();

function issuesAsErrors(error: z.ZodError): { field: string | null; message: string }[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : null),
    message: issue.message,
  }));
}

/** SendGrid's (single) Event Webhook settings API, under /v3/user/webhooks/event/settings. */
export function registerEventWebhookRoutes(api: FastifyInstance, state: SendgridState): void {
  api.get('/v3/user/webhooks/event/settings', async () => state.webhook.current());

  api.patch('/v3/user/webhooks/event/settings', async (request, reply) => {
    const parsed = settingsPatch.safeParse(request.body ?? {});
    if (!parsed.success) return sendSendgridError(reply, 400, ...issuesAsErrors(parsed.error));
    const next = { ...state.webhook.current(), ...parsed.data };
    if (next.enabled && !next.url) return sendSendgridError(reply, 400, { field: 'url', message: 'a URL is required to enable the Event Webhook' });
    return state.webhook.update(parsed.data);
  });

  const signedAnswer = () => ({ public_key: state.webhook.isSigned() ? state.webhook.publicKey : '' });
  api.get('/v3/user/webhooks/event/settings/signed', async () => signedAnswer());
  api.patch('/v3/user/webhooks/event/settings/signed', async (request, reply) => {
    const parsed = signedPatch.safeParse(request.body ?? {});
    if (!parsed.success) return sendSendgridError(reply, 400, ...issuesAsErrors(parsed.error));
    state.webhook.setSigned(parsed.data.enabled);
    return signedAnswer();
  });
}
