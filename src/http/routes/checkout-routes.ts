import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { completeCheckoutReturn } from '../../services/checkout/complete-checkout-return.ts';
import type { CheckoutTerms } from '../../services/checkout/checkout-terms.ts';
import { createCheckout } from '../../services/checkout/create-checkout.ts';
import { findCheckoutLocale } from '../../services/checkout/find-checkout-locale.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { choosePageLocale } from '../choose-page-locale.ts';
import { answerError } from '../error-handler.ts';
import { sendHtmlError, wantsHtml } from '../html-error-page.ts';
import { PROVIDER_IDS } from '../../domain/provider.ts';
import { errorJson } from '../presenters.ts';
import { validationFailed } from '../../shared/errors.ts';
import { documented, redirect, withExample } from '../api-examples.ts';
import { externalIdParam } from './customer-routes.ts';

const checkoutBody = z
  .object({
    customer: externalIdParam.shape.id,
    plan: z.string().min(1).max(40),
    /** Any provider id is accepted here; one without an adapter or not configured is answered 409 / 503 with the reason. */
    provider: z.enum(PROVIDER_IDS),
    mode: z.enum(['subscription', 'one_time']).optional().describe('one_time: prepaid time without auto-renew (Checkout in payment mode), paid once'),
    periods: z.number().int().min(1).max(730).optional().describe("with mode one_time: how many of the plan's periods (months or years) to prepay, default 1; the end must fall within 730 days"),
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
        .union([z.object({ reason: z.literal('trial_used'), subscription_id: z.string() }), z.object({ reason: z.literal('prepaid_before'), prepaid_period_id: z.string() })])
        .nullable()
        .describe("why the plan's trial was not granted: the customer had a trial, a paid subscription or prepaid time before (trial_once_per_customer)"),
      due_today: moneyJson.describe('charged when the checkout is paid, before any promotion code; one-time: the price times the periods'),
      periods: z.number().int().optional().describe('one-time only: the periods prepaid'),
      prepaid_from: z.iso.datetime().optional().describe('one-time only: where the prepaid time starts (the end of running prepaid time, else now); recorded from the payment'),
      prepaid_until: z.iso.datetime().optional().describe('one-time only: when the prepaid time ends; no renewal follows unless auto-renew is turned on'),
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
    trial_refused: presentTrialRefusal(terms.trialRefused),
    due_today: { amount_minor: terms.dueToday.amountMinor, currency: terms.dueToday.currency },
    ...(terms.prepaid ? { periods: terms.prepaid.periods, prepaid_from: terms.prepaid.startsAt.toISOString(), prepaid_until: terms.prepaid.until.toISOString() } : {}),
  };
}

function presentTrialRefusal(refusal: CheckoutTerms['trialRefused']): z.infer<typeof checkoutJson>['terms']['trial_refused'] {
  if (!refusal) return null;
  return refusal.reason === 'trial_used' ? { reason: refusal.reason, subscription_id: refusal.subscriptionId } : { reason: refusal.reason, prepaid_period_id: refusal.prepaidPeriodId };
}

/** PayPal's order ids: 17 letters and digits (the approval token of a subscription, EC-…, is not one). */
const ORDER_ID = /^[A-Z0-9]{10,36}$/;

/** What a provider's return route answers when it cannot record the checkout (shown to the customer as a page). */
const returnErrors = { 400: errorJson, 404: errorJson, 409: errorJson, 502: errorJson, 503: errorJson };

/** `POST /v1/checkout`, inside the API-key scope. */
export function checkoutApiRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/checkout',
    {
      schema: {
        tags: ['checkout'],
        summary: 'Start a hosted checkout for a customer and plan (303 to it for browsers); 409 while the customer has a live subscription',
        body: withExample(checkoutBody, { customer: 'shop-1042', plan: 'monthly', provider: 'stripe', return_url: 'https://www.sportwinkel.example/account' }),
        response: {
          201: documented(checkoutJson, "The hosted checkout to send the customer to (the plan's trial, the customer's locale)", { url: 'https://checkout.stripe.com/c/pay/cs_test_a1Xb2Yc3Zd4We5Vf6Ug7Th8Si9', session_id: 'cs_test_a1Xb2Yc3Zd4We5Vf6Ug7Th8Si9', terms: { plan: 'monthly', price: { amount_minor: 2999, currency: 'EUR' }, interval: 'month', trial_days: 30, trial_refused: null, due_today: { amount_minor: 0, currency: 'EUR' } } }),
          303: redirect('For Accept: text/html, the same checkout as a redirect', 'the hosted checkout page'),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { customer, plan, provider, mode, periods, return_url } = request.body;
      const retryKey = request.idempotency?.workKey;
      const started = await createCheckout(ctx, { customerExternalId: customer, planId: plan, provider, ...(mode ? { mode } : {}), ...(periods !== undefined ? { periods } : {}), returnUrl: return_url, ...(retryKey ? { retryKey } : {}) }, request.actor);
      if (wantsHtml(request.headers.accept)) return reply.status(303).header('location', started.url).send(null);
      return reply.status(201).send({ url: started.url, session_id: started.sessionId, terms: presentCheckoutTerms(started.terms) });
    },
  );
}

/**
 * A customer's browser lands on the return route: it gets a page in words, in the language of the
 * customer the session was opened for (else the browser's, else DEFAULT_LOCALE); a program gets
 * the JSON error.
 */
async function answerReturnError(ctx: ServiceContext, error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (!wantsHtml(request.headers.accept)) return answerError(error, request, reply);
  // The raw query: an id that failed validation is simply not found. PayPal names its subscription, Stripe its session.
  const query = request.query as Record<string, unknown> | undefined;
  const paypalId = query?.['subscription_id'] ?? query?.['token'];
  const sessionId = query?.['session_id'] ?? paypalId;
  const provider = typeof paypalId === 'string' && query?.['session_id'] === undefined ? 'paypal' : 'stripe';
  // The page must still come when the database is what failed; the browser's language then decides.
  const customerLocale = typeof sessionId === 'string' ? await findCheckoutLocale(ctx, sessionId, provider).catch(() => null) : null;
  return sendHtmlError(request, reply, error, choosePageLocale(customerLocale, request.headers['accept-language'], ctx.config.DEFAULT_LOCALE));
}

/** `GET /checkout/stripe/return` and `/checkout/paypal/return`: where the provider sends the customer back; no API key (a browser). */
export function checkoutReturnRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/checkout/stripe/return',
    {
      schema: {
        tags: ['checkout'],
        summary: "Record the finished Stripe checkout and send the customer on to the shop's return URL",
        security: [],
        querystring: z.object({ session_id: z.string().regex(/^cs_[A-Za-z0-9_]{1,250}$/, 'expected a Stripe checkout session id (cs_…)') }),
        response: {
          303: redirect("Recorded: on to the shop's return URL", "the shop's return_url with checkout=success|pending|canceled and subscription=<id>, e.g. https://www.sportwinkel.example/account?checkout=success&subscription=5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5"),
          ...returnErrors,
        },
      },
      errorHandler: (error, request, reply) => answerReturnError(ctx, error, request, reply),
    },
    async (request, reply) => {
      const result = await completeCheckoutReturn(ctx, request.query.session_id);
      return reply.status(303).header('location', result.redirectTo).send(null);
    },
  );

  app.withTypeProvider<ZodTypeProvider>().get(
    '/checkout/paypal/return',
    {
      schema: {
        tags: ['checkout'],
        summary: "Record the PayPal subscription or order the customer approved and send them on to the shop's return URL",
        description:
          "PayPal appends the approved subscription's id (and its own ba_token and token) to the return URL recur gave it; for an order (prepaid time), the order's id as token and the PayerID. recur captures an approved order once (a reload captures nothing more) and records the prepaid period.",
        security: [],
        querystring: z.object({
          subscription_id: z.string().regex(/^I-[A-Z0-9]{1,60}$/, 'expected a PayPal subscription id (I-…)').optional(),
          token: z.string().max(64).optional().describe('the order id, when subscription_id is absent'),
          PayerID: z.string().max(64).optional(),
        }),
        response: {
          303: redirect("Recorded: on to the shop's return URL", "the shop's return_url with checkout=success|pending|canceled|declined and subscription=<id> or prepaid_period=<id>"),
          ...returnErrors,
        },
      },
      errorHandler: (error, request, reply) => answerReturnError(ctx, error, request, reply),
    },
    async (request, reply) => {
      const { subscription_id: subscriptionId, token } = request.query;
      // A subscription's return carries its own token too: the subscription id decides.
      const paypalId = subscriptionId ?? token;
      if (!paypalId || (!subscriptionId && !ORDER_ID.test(paypalId))) throw validationFailed('expected a PayPal subscription id (subscription_id=I-…) or order id (token=…)');
      const result = await completeCheckoutReturn(ctx, paypalId, 'paypal');
      return reply.status(303).header('location', result.redirectTo).send(null);
    },
  );
}
