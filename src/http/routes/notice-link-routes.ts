import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CustomerRecord } from '../../db/repositories/customer-repository.ts';
import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { verifyLinkToken, type LinkPurpose, type LinkTokenCheck } from '../../notifications/link-token.ts';
import { getCustomer } from '../../services/customers/get-customer.ts';
import type { MessagingContext, ServiceContext } from '../../services/service-context.ts';
import { cancelSubscription } from '../../services/subscription-changes/cancel-subscription.ts';
import { openBillingPortal } from '../../services/subscription-changes/open-billing-portal.ts';
import { getSubscription } from '../../services/subscriptions/get-subscription.ts';
import { conflict, errorCatalogue, RecurError } from '../../shared/errors.ts';
import { answerError, sendError, toHttpError } from '../error-handler.ts';
import { wantsHtml } from '../html-error-page.ts';
import { errorJson } from '../presenters.ts';
import { escapeHtml } from '../../shared/escape-html.ts';

type Locale = 'nl' | 'en';
type LinkFailure = Extract<LinkTokenCheck, { ok: false }>['reason'];

// The token is in the URL: no copy in caches, no Referer to the next site, no framing (a cancel
// button inside someone else's page), and nothing on the page but its own markup and styles.
const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-robots-tag': 'noindex',
} as const;

const tokenField = z.string().min(1).max(2048);
const errors = { 400: errorJson, 404: errorJson, 409: errorJson, 410: errorJson, 502: errorJson, 503: errorJson };

const WORDS = {
  nl: {
    cancelTitle: 'Abonnement opzeggen',
    cancelAsk: (plan: string, end: string) => `Wil je je abonnement ${plan} opzeggen? Het loopt dan af op ${end}. Tot die dag kun je het gewoon gebruiken; daarna wordt er niets meer afgeschreven.`,
    cancelButton: 'Ja, zeg mijn abonnement op',
    canceledTitle: 'Je abonnement is opgezegd',
    canceled: (plan: string, end: string) => `Je abonnement ${plan} is opgezegd en loopt af op ${end}. Daarna wordt er niets meer afgeschreven.`,
    alreadyScheduled: (plan: string, end: string) => `Je abonnement ${plan} was al opgezegd en loopt af op ${end}. Je hoeft niets meer te doen.`,
    endedTitle: 'Je abonnement is beëindigd',
    ended: (plan: string) => `Je abonnement ${plan} is al beëindigd. Je hoeft niets meer te doen.`,
    periodEnd: 'het einde van de huidige periode',
  },
  en: {
    cancelTitle: 'Cancel your subscription',
    cancelAsk: (plan: string, end: string) => `Do you want to cancel your ${plan} subscription? It will then end on ${end}. You can keep using it until that day; nothing is charged after it.`,
    cancelButton: 'Yes, cancel my subscription',
    canceledTitle: 'Your subscription is canceled',
    canceled: (plan: string, end: string) => `Your ${plan} subscription is canceled and ends on ${end}. Nothing is charged after that.`,
    alreadyScheduled: (plan: string, end: string) => `Your ${plan} subscription was already canceled and ends on ${end}. There is nothing more to do.`,
    endedTitle: 'Your subscription has ended',
    ended: (plan: string) => `Your ${plan} subscription has already ended. There is nothing more to do.`,
    periodEnd: 'the end of the current period',
  },
} as const;

// Pages a customer may reach without a valid token say everything in both languages.
const BILINGUAL: Record<LinkFailure | 'error' | 'done', { title: string; nl: string; en: string }> = {
  malformed: { title: 'Deze link werkt niet · This link does not work', nl: 'Deze link is onvolledig of beschadigd. Er is niets veranderd. Kopieer de hele link uit de e-mail, of neem contact op met de winkel.', en: 'This link is incomplete or damaged. Nothing was changed. Copy the whole link from the e-mail, or contact the shop.' },
  'bad-signature': { title: 'Deze link werkt niet · This link does not work', nl: 'Deze link is niet geldig. Er is niets veranderd.', en: 'This link is not valid. Nothing was changed.' },
  'wrong-purpose': { title: 'Deze link werkt niet · This link does not work', nl: 'Deze link hoort bij een andere pagina. Er is niets veranderd.', en: 'This link belongs to another page. Nothing was changed.' },
  expired: { title: 'Deze link is verlopen · This link has expired', nl: 'Deze link is verlopen. Er is niets veranderd. Gebruik de link uit een recentere e-mail, of neem contact op met de winkel.', en: 'This link has expired. Nothing was changed. Use the link in a more recent e-mail, or contact the shop.' },
  error: { title: 'Dat lukte niet · That did not work', nl: 'Dit kon nu niet worden afgerond. Er is niets veranderd; probeer het later opnieuw of neem contact op met de winkel.', en: 'This could not be completed just now. Nothing was changed; try again later or contact the shop.' },
  done: { title: 'Bedankt · Thank you', nl: 'Je bent terug van de betaalpagina. Je kunt dit venster sluiten.', en: 'You are back from the payment page. You can close this window.' },
};

const LINK_ERRORS: Record<LinkFailure, { code: 'invalid_link' | 'link_expired'; message: string }> = {
  malformed: { code: 'invalid_link', message: 'the link token is incomplete or damaged' },
  'bad-signature': { code: 'invalid_link', message: 'the link token is not signed by recur' },
  'wrong-purpose': { code: 'invalid_link', message: 'the link token is for another kind of link' },
  expired: { code: 'link_expired', message: 'the link token has expired' },
};

type Section = { lang: Locale; title: string; paragraphs: string[] };

function renderPage(lang: Locale, title: string, sections: Section[], extra = ''): string {
  const body = sections
    .map((section) => `<section lang="${section.lang}">\n<h1>${escapeHtml(section.title)}</h1>\n${section.paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('\n')}\n</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
${body}
${extra}
</body>
</html>
`;
}

const sendPage = (reply: FastifyReply, status: number, html: string): FastifyReply => reply.status(status).type('text/html; charset=utf-8').send(html);

function bilingualPage(kind: keyof typeof BILINGUAL, reference: string | null): string {
  const words = BILINGUAL[kind];
  const note = reference ? `<p style="color: #777; font-size: 0.9rem">Referentie / Reference: <code>${escapeHtml(reference)}</code></p>` : '';
  return renderPage('nl', words.title, [
    { lang: 'nl', title: words.title.split(' · ')[0]!, paragraphs: [words.nl] },
    { lang: 'en', title: words.title.split(' · ')[1] ?? words.title, paragraphs: [words.en] },
  ], note);
}

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

type LinkTarget = { messaging: MessagingContext; subscription: SubscriptionRecord; customer: CustomerRecord };

/** The subscription a valid token names, or why the token is refused (nothing is read for a bad one). */
async function readLink(ctx: ServiceContext, token: string, purpose: LinkPurpose): Promise<LinkTarget | LinkFailure> {
  const messaging = requireMessaging(ctx);
  const check = verifyLinkToken(messaging.linkSecret, token, purpose, ctx.clock.now());
  if (!check.ok) return check.reason;
  const subscription = await getSubscription(ctx, check.subscriptionId);
  return { messaging, subscription, customer: await getCustomer(ctx, subscription.customerExternalId) };
}

function describeSubscription(ctx: ServiceContext, { subscription, customer }: Pick<LinkTarget, 'subscription' | 'customer'>) {
  const locale = customer.locale;
  const plan = ctx.config.catalogue.plans.find((candidate) => candidate.id === subscription.planId)?.name ?? subscription.planId;
  const endsAt = subscription.currentPeriodEnd ?? subscription.trialEnd;
  const format = new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long', timeZone: customer.timeZone ?? ctx.config.DEFAULT_TIME_ZONE });
  return { locale, words: WORDS[locale], plan, end: endsAt ? format.format(endsAt) : WORDS[locale].periodEnd };
}

/** A page for a subscription that is canceled or set to cancel; null while it runs on. */
function settledPage(ctx: ServiceContext, target: Pick<LinkTarget, 'subscription' | 'customer'>, justCanceled: boolean): string | null {
  const { locale, words, plan, end } = describeSubscription(ctx, target);
  if (target.subscription.status === 'canceled') return renderPage(locale, words.endedTitle, [{ lang: locale, title: words.endedTitle, paragraphs: [words.ended(plan)] }]);
  if (!target.subscription.cancelAtPeriodEnd) return null;
  const text = justCanceled ? words.canceled(plan, end) : words.alreadyScheduled(plan, end);
  return renderPage(locale, words.canceledTitle, [{ lang: locale, title: words.canceledTitle, paragraphs: [text] }]);
}

function cancelQuestionPage(ctx: ServiceContext, target: LinkTarget, token: string): string {
  const { locale, words, plan, end } = describeSubscription(ctx, target);
  // A relative action keeps a path prefix in PUBLIC_BASE_URL; only the POST changes anything.
  const form = `<form method="post" action="cancel"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit" style="font-size: 1rem; padding: 0.6rem 1.2rem">${escapeHtml(words.cancelButton)}</button></form>`;
  return renderPage(locale, words.cancelTitle, [{ lang: locale, title: words.cancelTitle, paragraphs: [words.cancelAsk(plan, end)] }], form);
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
 * (mail scanners follow links); cancelling takes the page's one button, a POST.
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
    { schema: { tags: ['notice links'], summary: 'The page behind the cancel link in notices: the plan, its end date and one button (changes nothing)', security, querystring: z.object({ token: tokenField }), response: errors } },
    async (request, reply) => {
      const target = await readLink(ctx, request.query.token, 'cancel');
      if (typeof target === 'string') return answerBadLink(request, reply, target);
      return sendPage(reply, 200, settledPage(ctx, target, false) ?? cancelQuestionPage(ctx, target, request.query.token));
    },
  );

  api.post(
    '/links/cancel',
    { schema: { tags: ['notice links'], summary: 'Cancel at period end (the button of the cancel page); a second time only says it is done', security, body: z.object({ token: tokenField }), response: errors } },
    async (request, reply) => {
      const target = await readLink(ctx, request.body.token, 'cancel');
      if (typeof target === 'string') return answerBadLink(request, reply, target);
      const settled = settledPage(ctx, target, false);
      if (settled) return sendPage(reply, 200, settled);
      const subscriptionId = target.subscription.id;
      try {
        const changed = await cancelSubscription(ctx, { subscriptionId, at: 'period_end' }, `link:${subscriptionId}`);
        const page = settledPage(ctx, { ...target, subscription: changed }, true);
        // Only when a newer state (a resume) was recorded in between: the customer should look again.
        if (!page) throw conflict(`subscription "${subscriptionId}" changed while it was being canceled; open the link again`);
        return sendPage(reply, 200, page);
      } catch (error) {
        // A second press that overtook the first: Stripe was asked once (same idempotency key), the page says it is done.
        if (!(error instanceof RecurError && error.code === 'conflict')) throw error;
        const again = settledPage(ctx, { ...target, subscription: await getSubscription(ctx, subscriptionId) }, false);
        if (!again) throw error;
        return sendPage(reply, 200, again);
      }
    },
  );

  api.get(
    '/links/payment-method',
    { schema: { tags: ['notice links'], summary: "The fix-the-card link in notices: 303 to a Stripe billing-portal session (its URL is never logged)", security, querystring: z.object({ token: tokenField }), response: { 303: z.null(), ...errors } } },
    async (request, reply) => {
      const target = await readLink(ctx, request.query.token, 'payment_method');
      if (typeof target === 'string') return answerBadLink(request, reply, target);
      const subscriptionId = target.subscription.id;
      const portal = await openBillingPortal(ctx, { customerExternalId: target.customer.externalId, returnUrl: `${target.messaging.publicBaseUrl}/links/done` }, `link:${subscriptionId}`);
      return reply.status(303).header('location', portal.url).send(null);
    },
  );

  api.get('/links/done', { schema: { tags: ['notice links'], summary: 'Where the billing portal returns the customer to', security, response: { 503: errorJson } } }, async (_request, reply) => {
    requireMessaging(ctx);
    return sendPage(reply, 200, bilingualPage('done', null));
  });
}
