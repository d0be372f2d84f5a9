import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createWebhookEndpoint } from './events/webhook-endpoint-routes.ts';
import type { StripeRuntime } from './runtime.ts';

const body = z.object({ url: z.url(), enabledEvents: z.array(z.string().min(1)).min(1).default(['*']) }).strict();

/**
 * `POST /sandbox/stripe/webhook-endpoints`: registers an endpoint signed with the sandbox's fixed
 * secret (the one `GET /sandbox` prints), so a service can be configured with that secret before
 * it knows its own port. Re-registering a URL returns the existing endpoint.
 */
export function registerFixedSecretEndpointRoute(scope: FastifyInstance, rt: StripeRuntime): void {
  scope.post('/sandbox/stripe/webhook-endpoints', async (request, reply) => {
    const parsed = body.safeParse(request.body ?? {});
    if (!parsed.success) {
      return reply.status(400).send({ error: { code: 'invalid_request', message: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') } });
    }
    const existing = rt.state.webhookEndpoints.all().find((endpoint) => endpoint.url === parsed.data.url);
    const endpoint = existing ?? createWebhookEndpoint(rt, { url: parsed.data.url, enabledEvents: parsed.data.enabledEvents, secret: rt.settings.webhookSecret });
    return reply.status(existing ? 200 : 201).send({ id: endpoint.id, url: endpoint.url, enabled_events: endpoint.enabled_events });
  });
}
