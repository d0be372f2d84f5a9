import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { renderEventsPage } from './events-page.ts';
import type { PaypalRuntime } from './runtime.ts';
import { testPayers } from './test-payers.ts';
import { ensureWebhook, webhookObject } from './webhook-routes.ts';

const webhookSetup = z.object({ url: z.url(), event_types: z.array(z.string().min(1)).min(1).default(['*']) }).strict();

function badRequest(message: string) {
  return { error: { code: 'invalid_request', message } };
}

/** The emulator's own routes under /paypal/sandbox/ (no PayPal counterpart, no token needed). */
export function registerPaypalControlRoutes(app: FastifyInstance, rt: PaypalRuntime): void {
  app.get('/paypal/sandbox/root-ca.pem', async (_request, reply) => reply.type('application/x-pem-file').send(rt.data.authority?.rootCertificatePem ?? ''));

  app.get('/paypal/sandbox/test-payers', async () => ({ data: Object.entries(testPayers).map(([email, behaviour]) => ({ email, behaviour })) }));

  // The development setup: one call gives the webhook id recur needs (PAYPAL_WEBHOOK_ID), the same for the same URL.
  app.post('/paypal/sandbox/webhooks', async (request, reply) => {
    const parsed = webhookSetup.safeParse(request.body ?? {});
    if (!parsed.success) return reply.status(400).send(badRequest(z.prettifyError(parsed.error)));
    return webhookObject(rt, ensureWebhook(rt, parsed.data.url, parsed.data.event_types));
  });

  app.get('/paypal/sandbox/events', async () => ({ data: [...rt.data.events].reverse() }));
  app.get('/paypal/sandbox/events.html', async (_request, reply) => reply.type('text/html; charset=utf-8').send(renderEventsPage(rt.data.events, rt.sandbox.webhooks.deliveries())));

  // The payer adds a working card: the next retry (or cycle) of this subscription goes through.
  app.post<{ Params: { id: string } }>('/paypal/sandbox/subscriptions/:id/fix-funding', async (request, reply) => {
    const subscription = rt.data.subscriptions[request.params.id];
    if (!subscription) return reply.status(404).send({ error: { code: 'not_found', message: `no subscription ${request.params.id}` } });
    subscription.funding_fixed = true;
    return { id: subscription.id, funding_fixed: true, next_billing_time: subscription.retry_at ?? subscription.next_cycle_at };
  });
}
