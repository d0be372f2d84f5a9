import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { completeStripeCheckout } from '../../services/checkout/complete-stripe-checkout.ts';
import { createCheckout } from '../../services/checkout/create-checkout.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { answerError } from '../error-handler.ts';
import { sendHtmlError, wantsHtml } from '../html-error-page.ts';
import { errorJson } from '../presenters.ts';
import { externalIdParam } from './customer-routes.ts';

const checkoutBody = z
  .object({
    customer: externalIdParam.shape.id,
    plan: z.string().min(1).max(40),
    provider: z.literal('stripe'),
    return_url: z.url({ protocol: /^https?$/ }).max(2000),
  })
  .strict();

const checkoutJson = z.object({ url: z.string(), session_id: z.string() });
const errors = { 400: errorJson, 401: errorJson, 403: errorJson, 404: errorJson, 409: errorJson, 502: errorJson, 503: errorJson };

/** `POST /v1/checkout`, inside the API-key scope. */
export function checkoutApiRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/checkout',
    {
      schema: {
        tags: ['checkout'],
        summary: 'Start a hosted checkout for a customer and plan (303 to it for browsers)',
        body: checkoutBody,
        response: { 201: checkoutJson, 303: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { customer, plan, provider, return_url } = request.body;
      const started = await createCheckout(ctx, { customerExternalId: customer, planId: plan, provider, returnUrl: return_url }, request.actor);
      if (wantsHtml(request.headers.accept)) return reply.status(303).header('location', started.url).send(null);
      return reply.status(201).send({ url: started.url, session_id: started.sessionId });
    },
  );
}

/** `GET /checkout/stripe/return`: where Stripe sends the customer back; no API key (a browser). */
export function checkoutReturnRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/checkout/stripe/return',
    {
      schema: {
        tags: ['checkout'],
        summary: "Record the finished Stripe checkout and send the customer on to the shop's return URL",
        security: [],
        querystring: z.object({ session_id: z.string().regex(/^cs_[A-Za-z0-9_]{1,250}$/, 'expected a Stripe checkout session id (cs_…)') }),
        response: { 303: z.null(), 400: errorJson, 404: errorJson, 409: errorJson, 502: errorJson, 503: errorJson },
      },
      // A customer's browser lands here: it gets a page in words, a program the JSON error.
      errorHandler(error, request, reply) {
        return wantsHtml(request.headers.accept) ? sendHtmlError(request, reply, error) : answerError(error, request, reply);
      },
    },
    async (request, reply) => {
      const result = await completeStripeCheckout(ctx, request.query.session_id);
      return reply.status(303).header('location', result.redirectTo).send(null);
    },
  );
}
