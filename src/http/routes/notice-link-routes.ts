import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CustomerRecord } from '../../db/repositories/customer-repository.ts';
import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { getPlanName } from '../../domain/plan.ts';
import { isIssuedBeforeResume, verifyLinkToken, type LinkPurpose } from '../../notifications/link-token.ts';
import { getCustomer } from '../../services/customers/get-customer.ts';
import type { MessagingContext, ServiceContext } from '../../services/service-context.ts';
import { cancelSubscription } from '../../services/subscription-changes/cancel-subscription.ts';
import { openBillingPortal } from '../../services/subscription-changes/open-billing-portal.ts';
import { getSubscription } from '../../services/subscriptions/get-subscription.ts';
import { conflict, errorCatalogue, RecurError } from '../../shared/errors.ts';
import { answerError, sendError, toHttpError } from '../error-handler.ts';
import { wantsHtml } from '../html-error-page.ts';
import { errorJson } from '../presenters.ts';
import { htmlPage, redirect, withExample } from '../api-examples.ts';
import { bilingualPage, cancelQuestionPage, outdatedCancelPage, paymentMethodPage, settledPage, type LinkFailure, type LinkedSubscription } from '../notice-link-pages.ts';


// The token is in the URL: no copy in caches, no Referer to the next site, not indexed. No framing
// and nothing on the page but its own markup: the security headers every answer has (security-headers.ts).
const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
} as const;
// The page policy of security-headers.ts, with the portal's origins allowed as form targets.
const pagePolicy = (formAction: string) => `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;

/**
 * The payment-method page's button posts to recur, which answers 303 to Stripe's portal; browsers
 * hold that redirect to `form-action` too, so the portal's origin must be allowed: any https origin
 * (billing.stripe.com, or the shop's custom portal domain) and the API base's origin (the sandbox).
 */
function paymentPagePolicy(ctx: ServiceContext): string {
  const apiBase = ctx.config.STRIPE_API_BASE;
  return pagePolicy(["'self'", 'https:', ...(apiBase ? [new URL(apiBase).origin] : [])].join(' '));
}

const tokenField = z.string().min(1).max(2048);
const EXAMPLE_TOKEN = 'eyJwIjoiY2FuY2VsIiwicyI6IjVkMGM4ZjJhIiwiZSI6MTc3NTAwMDAwMH0.Q2hhbmdlZEJ5TGlua1NpZ25pbmdTZWNyZXQ';
const cancelPage = htmlPage("The question in the customer's language, with the plan, its end date and one button", '<h1>Abonnement opzeggen</h1><p>Wil je je abonnement Maandelijks opzeggen? Het loopt dan af op 31 maart 2026. …</p>');
const canceledPage = htmlPage("Done, in the customer's language", '<h1>Je abonnement is opgezegd</h1><p>Je abonnement Maandelijks is opgezegd en loopt af op 31 maart 2026. …</p>');
const paymentPage = htmlPage("Where the button leads, in the customer's language, with one button (opens no portal session)", '<h1>Betaalgegevens bijwerken</h1><p>Je gaat naar de beveiligde pagina van onze betaalprovider …</p>');
const errors = { 400: errorJson, 404: errorJson, 409: errorJson, 410: errorJson, 502: errorJson, 503: errorJson };

const LINK_ERRORS: Record<LinkFailure, { code: 'invalid_link' | 'link_expired'; message: string }> = {
  malformed: { code: 'invalid_link', message: 'the link token is incomplete or damaged' },
  'bad-signature': { code: 'invalid_link', message: 'the link token is not signed by recur' },
  'wrong-purpose': { code: 'invalid_link', message: 'the link token is for another kind of link' },
  expired: { code: 'link_expired', message: 'the link token has expired' },
};

const sendPage = (reply: FastifyReply, status: number, html: string): FastifyReply => reply.status(status).type('text/html; charset=utf-8').send(html);

function answerBadLink(request: FastifyRequest, reply: FastifyReply, reason: LinkFailure): FastifyReply {
  const error = LINK_ERRORS[reason];
  const status = errorCatalogue[error.code].status;
  if (wantsHtml(request.headers.accept)) return sendPage(reply, status, bilingualPage(reason, request.id));
  return sendError(request, reply, { status, code: error.code, message: error.message });
}

function requireMessaging(ctx: ServiceContext): MessagingContext {
  if (!ctx.messaging) throw new RecurError('not_configured', 'notice links are not available: recur runs without notifications');
  return ctx.messaging;
}

type LinkTarget = { messaging: MessagingContext; subscription: SubscriptionRecord; customer: CustomerRecord; expiresAt: Date };

/** The subscription a valid token names, or why the token is refused (nothing is read for a bad one). */
async function readLink(ctx: ServiceContext, token: string, purpose: LinkPurpose): Promise<LinkTarget | LinkFailure> {
  const messaging = requireMessaging(ctx);
  const check = verifyLinkToken([messaging.linkSecret, ...(messaging.previousLinkSecret ? [messaging.previousLinkSecret] : [])], token, purpose, ctx.clock.now());
  if (!check.ok) return check.reason;
  const subscription = await getSubscription(ctx, check.subscriptionId);
  return { messaging, subscription, customer: await getCustomer(ctx, subscription.customerExternalId), expiresAt: check.expiresAt };
}

/**
 * A cancel link is bound to the state it was issued in: once the subscription was resumed after
 * the notice went out, the link no longer applies (the customer kept it, or the shop kept it for
 * them). A page in the customer's language for a browser, 409 link_outdated for a program.
 */
function answerIfOutdated(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply, target: LinkTarget): FastifyReply | null {
  if (!isIssuedBeforeResume(target.expiresAt, target.subscription.resumedAt)) return null;
  const status = errorCatalogue.link_outdated.status;
  if (wantsHtml(request.headers.accept)) return sendPage(reply, status, outdatedCancelPage(linked(ctx, target)));
  return sendError(request, reply, { status, code: 'link_outdated', message: 'the subscription was resumed after this link was sent; the link no longer cancels it' });
}

/** What the pages say about the subscription: its plan's name and the zone for its dates. */
function linked(ctx: ServiceContext, target: Pick<LinkTarget, 'subscription' | 'customer'>): LinkedSubscription {
  const plan = ctx.config.catalogue.plans.find((candidate) => candidate.id === target.subscription.planId);
  return { subscription: target.subscription, customer: target.customer, planName: plan ? getPlanName(plan, target.customer.locale) : target.subscription.planId, defaultTimeZone: ctx.config.DEFAULT_TIME_ZONE };
}

/** Any other failure: a page in words for a browser, the JSON error for a program. */
function answerLinkError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (!wantsHtml(request.headers.accept)) return answerError(error, request, reply);
  const httpError = toHttpError(error);
  if (httpError.status >= 500) request.log.error({ err: error }, 'request failed');
  return sendPage(reply, httpError.status, bilingualPage(httpError.status === 400 ? 'malformed' : 'error', request.id));
}

/**
 * `/links/*`: where the cancel and fix-the-card links in notices lead. No API key: the signed
 * token is the authority, for one purpose and one subscription. A GET never changes anything
 * nor opens anything at a provider (mail scanners follow links); cancelling and opening the
 * billing portal each take the page's one button, a POST.
 */
export function noticeLinkRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(PAGE_HEADERS);
  });
  app.setErrorHandler(answerLinkError);
  const api = app.withTypeProvider<ZodTypeProvider>();
  const security: [] = [];

  api.get(
    '/links/cancel',
    { schema: { tags: ['notice links'], summary: 'The page behind the cancel link in notices: the plan, its end date and one button (changes nothing)', security, querystring: z.object({ token: tokenField }), response: { 200: cancelPage, ...errors } } },
    async (request, reply) => {
      const target = await readLink(ctx, request.query.token, 'cancel');
      if (typeof target === 'string') return answerBadLink(request, reply, target);
      const settled = settledPage(linked(ctx, target), false);
      if (settled) return sendPage(reply, 200, settled);
      return answerIfOutdated(ctx, request, reply, target) ?? sendPage(reply, 200, cancelQuestionPage(linked(ctx, target), request.query.token));
    },
  );

  api.post(
    '/links/cancel',
    { schema: { tags: ['notice links'], summary: 'Cancel at period end (the button of the cancel page); a second time only says it is done', security, body: withExample(z.object({ token: tokenField }), { token: EXAMPLE_TOKEN }), response: { 200: canceledPage, ...errors } } },
    async (request, reply) => {
      const target = await readLink(ctx, request.body.token, 'cancel');
      if (typeof target === 'string') return answerBadLink(request, reply, target);
      const settled = settledPage(linked(ctx, target), false);
      if (settled) return sendPage(reply, 200, settled);
      const outdated = answerIfOutdated(ctx, request, reply, target);
      if (outdated) return outdated;
      const subscriptionId = target.subscription.id;
      try {
        const changed = await cancelSubscription(ctx, { subscriptionId, at: 'period_end' }, `link:${subscriptionId}`);
        const page = settledPage(linked(ctx, { ...target, subscription: changed }), true);
        // Only when a newer state (a resume) was recorded in between: the customer should look again.
        if (!page) throw conflict(`subscription "${subscriptionId}" changed while it was being canceled; open the link again`);
        return sendPage(reply, 200, page);
      } catch (error) {
        // A second press that overtook the first: Stripe was asked once (same idempotency key), the page says it is done.
        if (!(error instanceof RecurError && error.code === 'conflict')) throw error;
        const again = settledPage(linked(ctx, { ...target, subscription: await getSubscription(ctx, subscriptionId) }), false);
        if (!again) throw error;
        return sendPage(reply, 200, again);
      }
    },
  );

  api.get(
    '/links/payment-method',
    { schema: { tags: ['notice links'], summary: 'The page behind the fix-the-card link in notices: one button to the billing portal (opens no portal session)', security, querystring: z.object({ token: tokenField }), response: { 200: paymentPage, ...errors } } },
    async (request, reply) => {
      const target = await readLink(ctx, request.query.token, 'payment_method');
      if (typeof target === 'string') return answerBadLink(request, reply, target);
      return sendPage(reply.header('content-security-policy', paymentPagePolicy(ctx)), 200, paymentMethodPage(linked(ctx, target), request.query.token));
    },
  );

  // Every press opens a new, short-lived Stripe session: only the button's POST does, never a GET
  // (mail scanners and link previews follow GETs).
  api.post(
    '/links/payment-method',
    { schema: { tags: ['notice links'], summary: 'The button of the payment-method page: 303 to a new Stripe billing-portal session (its URL is never logged)', security, body: withExample(z.object({ token: tokenField }), { token: EXAMPLE_TOKEN }), response: { 303: redirect('On to the billing portal', 'a Stripe billing-portal session'), ...errors } } },
    async (request, reply) => {
      const target = await readLink(ctx, request.body.token, 'payment_method');
      if (typeof target === 'string') return answerBadLink(request, reply, target);
      const subscriptionId = target.subscription.id;
      const portal = await openBillingPortal(ctx, { customerExternalId: target.customer.externalId, returnUrl: `${target.messaging.publicBaseUrl}/links/done` }, `link:${subscriptionId}`);
      return reply.status(303).header('location', portal.url).send(null);
    },
  );

  api.get('/links/done', { schema: { tags: ['notice links'], summary: 'Where the billing portal returns the customer to', security, response: { 200: htmlPage('A thank-you page in Dutch and English', '<h1>Bedankt</h1> … <h1>Thank you</h1>'), 503: errorJson } } }, async (_request, reply) => {
    requireMessaging(ctx);
    return sendPage(reply, 200, bilingualPage('done', null));
  });
}
