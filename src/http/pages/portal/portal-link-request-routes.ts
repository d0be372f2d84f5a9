import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CustomerRecord } from '../../../db/repositories/customer-repository.ts';
import { findCustomerById } from '../../../db/repositories/customer-repository.ts';
import { findSubscription } from '../../../db/repositories/subscription-repository.ts';
import { verifyLinkToken } from '../../../notifications/link-token.ts';
import { publicBaseUrlOf } from '../../../runtime/public-base-url.ts';
import { emailPortalLink } from '../../../services/portal/email-portal-link.ts';
import type { MessagingContext, ServiceContext } from '../../../services/service-context.ts';
import { RecurError } from '../../../shared/errors.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { linkRequestText } from './link-request-text.ts';
import type { PortalPageKit } from './portal-page-kit.ts';
import { fill } from './portal-text.ts';

/**
 * The form's CSRF token rides in a cookie of its own as well (double submit): the page has no
 * session to bind it to. Strict, so a form posted from another site never brings it; on this
 * path only, for as long as the page may stay open.
 */
const CSRF_COOKIE = 'recur_link_csrf';
const CSRF_COOKIE_PATH = '/links/portal';

const tokenField = z.string().min(1).max(256);
const requestForm = z.object({ token: tokenField, csrf: z.string().max(64).optional() });

/** Enough of the address to recognise it, not enough to learn it from a forwarded link: a•••@example.nl. */
const maskEmail = (email: string): string => {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '•••' : `${email[0]}•••${email.slice(at)}`;
};

const sameToken = (a: string | undefined, b: string | undefined): boolean =>
  typeof a === 'string' && typeof b === 'string' && a.length > 0 && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

type LinkHolder = { messaging: MessagingContext; subscriptionId: string; customer: CustomerRecord };

/**
 * `/links/portal`: where the manage link in every notice leads. The GET shows to which address a
 * fresh one-time portal link will go, with one button; the button's POST e-mails it through the
 * outbox (one per customer per ten minutes, however often it is pressed). A signed link names a
 * subscription and this purpose only; a GET changes nothing (mail scanners follow links).
 */
export function portalLinkRequestRoutes(app: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer, kit: PortalPageKit): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const secure = publicBaseUrlOf(ctx.config).startsWith('https:');

  /** The customer a valid link names, or the page that says why it is not valid (nothing read for a bad one). */
  async function readHolder(request: FastifyRequest, reply: FastifyReply, token: string): Promise<LinkHolder | FastifyReply> {
    if (!ctx.messaging) throw new RecurError('not_configured', 'notice links are not available: recur runs without notifications');
    const messaging = ctx.messaging;
    const check = verifyLinkToken([messaging.linkSecret, ...(messaging.previousLinkSecret ? [messaging.previousLinkSecret] : [])], token, 'portal', ctx.clock.now());
    if (!check.ok) {
      const expired = check.reason === 'expired';
      return kit.sendMessage(request, reply, expired ? 410 : 404, () => {
        const words = linkRequestText(kit.localeOf(request));
        return expired ? { heading: words.expiredTitle, paragraphs: [words.expired] } : { heading: words.badLinkTitle, paragraphs: [words.badLink] };
      });
    }
    const subscription = await findSubscription(ctx.db, check.subscriptionId);
    const customer = subscription ? await findCustomerById(ctx.db, subscription.customerId) : null;
    if (!subscription || !customer) {
      return kit.sendMessage(request, reply, 404, () => ({ heading: linkRequestText(kit.localeOf(request)).badLinkTitle, paragraphs: [linkRequestText(kit.localeOf(request)).badLink] }));
    }
    return { messaging, subscriptionId: subscription.id, customer };
  }

  api.get('/links/portal', { schema: { hide: true, querystring: z.object({ token: tokenField }) } }, async (request, reply) => {
    const holder = await readHolder(request, reply, request.query.token);
    if (!('customer' in holder)) return holder;
    const locale = holder.customer.locale;
    const csrf = randomBytes(24).toString('base64url');
    reply.setCookie(CSRF_COOKIE, csrf, { path: CSRF_COOKIE_PATH, httpOnly: true, sameSite: 'strict', secure, maxAge: 3600 });
    const text = linkRequestText(locale);
    const html = renderer.render('portal/link-request', { locale, title: text.title }, { text, explain: fill(text.explain, { email: maskEmail(holder.customer.email) }), token: request.query.token, csrf });
    return kit.send(reply, 200, html);
  });

  api.post('/links/portal', { schema: { hide: true, body: requestForm } }, async (request, reply) => {
    if (!sameToken(request.cookies[CSRF_COOKIE], request.body.csrf)) {
      return kit.sendMessage(request, reply, 403, () => ({ heading: linkRequestText(kit.localeOf(request)).forbiddenTitle, paragraphs: [linkRequestText(kit.localeOf(request)).forbidden] }));
    }
    const holder = await readHolder(request, reply, request.body.token);
    if (!('customer' in holder)) return holder;
    const emailed = await emailPortalLink(ctx, holder.messaging, holder.subscriptionId);
    const words = linkRequestText(holder.customer.locale);
    const email = maskEmail(holder.customer.email);
    return kit.sendMessage(request, reply, 200, () => ({ heading: words.sentTitle, paragraphs: [fill(emailed.kind === 'sent' ? words.sent : words.alreadySent, { email })] }), { locale: holder.customer.locale });
  });
}
