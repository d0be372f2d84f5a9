import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { enableAutoRenew } from '../../services/subscription-changes/enable-auto-renew.ts';
import { openBillingPortal } from '../../services/subscription-changes/open-billing-portal.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { errorJson, presentSubscription, subscriptionJson } from '../presenters.ts';
import { documented, subscriptionExample, withExample } from '../api-examples.ts';
import { externalIdParam } from './customer-routes.ts';
import { PROVIDER_IDS } from '../../domain/provider.ts';

const returnUrl = z.url({ protocol: /^https?$/ }).max(2000);
const errors = { 400: errorJson, 401: errorJson, 403: errorJson, 404: errorJson, 409: errorJson, 502: errorJson, 503: errorJson };
const autoRenewErrors = { ...errors, 422: errorJson };

const autoRenewBody = z
  .object({
    plan: z.string().min(1).max(40),
    paid_until: z.iso.datetime().optional().describe("the end of the time the customer already paid for; the first charge falls here. Omitted: the end of the customer's running prepaid time (a one-time checkout), 422 no_prepaid_period when none runs"),
    return_url: returnUrl.optional().describe('where a checkout returns to, needed when the customer has no default card at Stripe, and always at PayPal (the buyer approves the subscription)'),
    provider: z.enum(PROVIDER_IDS).optional().describe("where the subscription is made; default: the provider of the customer's latest prepaid purchase, else stripe. At PayPal it starts at paid_until (PayPal bills its first cycle then)"),
  })
  .strict();

const autoRenewJson = z.discriminatedUnion('status', [
  z.object({ status: z.literal('subscribed'), subscription: subscriptionJson }),
  z.object({ status: z.literal('checkout_required'), url: z.string(), session_id: z.string() }),
]);

/** Customer-level billing: auto-renew after paid time (Stripe or PayPal), and Stripe's billing portal. */
export function customerBillingRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/customers/:id/auto-renew',
    {
      schema: {
        tags: ['customers'],
        summary: 'Enable auto-renew for a customer who paid until a date: a subscription whose trial runs until then (a checkout when no card is on file)',
        params: externalIdParam,
        body: withExample(autoRenewBody, { plan: 'yearly', paid_until: '2026-09-01T00:00:00.000Z', return_url: 'https://www.sportwinkel.example/account' }),
        response: { 201: documented(autoRenewJson, 'A subscription whose trial runs until the paid time ends, or the checkout to open when no card is on file', { status: 'subscribed', subscription: { ...subscriptionExample, plan: 'yearly', trial_end: '2026-09-01T00:00:00.000Z', current_period_end: '2026-09-01T00:00:00.000Z' } }), ...autoRenewErrors },
      },
    },
    async (request, reply) => {
      const { plan, paid_until, return_url, provider } = request.body;
      const outcome = await enableAutoRenew(ctx, { customerExternalId: request.params.id, planId: plan, paidUntil: paid_until ? new Date(paid_until) : null, returnUrl: return_url ?? null, ...(provider ? { provider } : {}) }, request.actor);
      const body =
        outcome.kind === 'subscribed'
          ? { status: 'subscribed' as const, subscription: presentSubscription(outcome.subscription) }
          : { status: 'checkout_required' as const, url: outcome.url, session_id: outcome.sessionId };
      return reply.status(201).send(body);
    },
  );

  api.post(
    '/customers/:id/billing-portal',
    {
      schema: {
        tags: ['customers'],
        summary: "A Stripe billing-portal session where the customer updates their card (the URL is not logged)",
        params: externalIdParam,
        body: withExample(z.object({ return_url: returnUrl }).strict(), { return_url: 'https://www.sportwinkel.example/account' }),
        response: { 201: documented(z.object({ url: z.string() }), "The Stripe billing portal session to send the customer to", { url: 'https://billing.stripe.com/p/session/test_YWNjdF8xUWRYeVoyZVp2S1lsbzJD' }), ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await openBillingPortal(ctx, { customerExternalId: request.params.id, returnUrl: request.body.return_url }, request.actor)),
  );
}
