import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { completeStripeCheckout } from '../../services/checkout/complete-stripe-checkout.ts';
import type { CheckoutTerms } from '../../services/checkout/checkout-terms.ts';
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

const moneyJson = z.object({ amount_minor: z.number().int(), currency: z.string() });
const checkoutJson = z.object({
  url: z.string(),
  session_id: z.string(),
  terms: z
    .object({
      plan: z.string(),
      price: moneyJson,
      interval: z.enum(['month', 'year']),
      trial_days: z.number().int().describe("the free trial this checkout grants: the plan's, or 0"),
      trial_refused: z
        .object({ reason: z.literal('trial_used'), subscription_id: z.string() })
        .nullable()
        .describe("why the plan's trial was not granted: the customer had a trial or paid subscription before (trial_once_per_customer)"),
      due_today: moneyJson.describe('charged when the checkout is paid, before any promotion code'),
    })
    .describe('what the customer gets, as the hosted page also says'),
});
const errors = { 400: errorJson, 401: errorJson, 403: errorJson, 404: errorJson, 409: errorJson, 502: errorJson, 503: errorJson };

function presentCheckoutTerms(terms: CheckoutTerms): z.infer<typeof checkoutJson>['terms'] {
  return {
    plan: terms.planId,
    price: { amount_minor: terms.price.amountMinor, currency: terms.price.currency },
    interval: terms.interval,
    trial_days: terms.trialDays,
    trial_refused: terms.trialRefused ? { reason: terms.trialRefused.reason, subscription_id: terms.trialRefused.subscriptionId } : null,
    due_today: { amount_minor: terms.dueToday.amountMinor, currency: terms.dueToday.currency },
  };
}

/** `POST /v1/checkout`, inside the API-key scope. */
export function checkoutApiRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/checkout',
    {
      schema: {
        tags: ['checkout'],
        summary: 'Start a hosted checkout for a customer and plan (303 to it for browsers); 409 while the customer has a live subscription',
        body: checkoutBody,
        response: { 201: checkoutJson, 303: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { customer, plan, provider, return_url } = request.body;
      const started = await createCheckout(ctx, { customerExternalId: customer, planId: plan, provider, returnUrl: return_url }, request.actor);
      if (wantsHtml(request.headers.accept)) return reply.status(303).header('location', started.url).send(null);
      return reply.status(201).send({ url: started.url, session_id: started.sessionId, terms: presentCheckoutTerms(started.terms) });
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
