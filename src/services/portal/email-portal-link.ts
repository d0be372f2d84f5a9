import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findCustomerById, type CustomerRecord } from '../../db/repositories/customer-repository.ts';
import { insertPortalLink } from '../../db/repositories/portal-repository.ts';
import { findSubscription } from '../../db/repositories/subscription-repository.ts';
import { enqueueCustomerNotice } from '../../notifications/enqueue-customer-notice.ts';
import { portalEntryToken } from '../../notifications/portal-entry-link.ts';
import { notFound, RecurError } from '../../shared/errors.ts';
import type { MessagingContext, ServiceContext } from '../service-context.ts';
import { PORTAL_LINK_VALIDITY_MS } from './create-portal-link.ts';
import { hashPortalSecret } from './portal-secret.ts';

/**
 * One e-mail per customer per window: a double click, a reload that posts again, or someone
 * pressing the button over and over sends one link, and asks again only after the window.
 */
export const PORTAL_LINK_EMAIL_WINDOW_MS = 10 * 60 * 1000;

/** `sent`: queued now; `already_sent`: one went out in this window, nothing more is sent. */
export type PortalLinkEmail = { kind: 'sent' | 'already_sent'; customer: CustomerRecord; expiresAt: Date };

/**
 * E-mails the customer a one-time portal link (the page behind a notice's manage link). The
 * notice goes through the outbox under the key `portal-link:{customer}:{window}`; its token is
 * derived from that key (portal-entry-link.ts), and only the token's hash is recorded as the
 * portal link, in the same transaction, so the link exists exactly when the e-mail does.
 */
export async function emailPortalLink(ctx: ServiceContext, messaging: MessagingContext, subscriptionId: string): Promise<PortalLinkEmail> {
  const subscription = await findSubscription(ctx.db, subscriptionId);
  const customer = subscription ? await findCustomerById(ctx.db, subscription.customerId) : null;
  if (!subscription || !customer) throw notFound('subscription', subscriptionId);
  const now = ctx.clock.now();
  const window = Math.floor(now.getTime() / PORTAL_LINK_EMAIL_WINDOW_MS);
  const businessKey = `portal-link:${customer.id}:${window}`;
  const expiresAt = new Date(now.getTime() + PORTAL_LINK_VALIDITY_MS);
  const sent = await ctx.db.transaction(async (tx) => {
    const queued = await enqueueCustomerNotice(tx, { template: 'portal-link', businessKey, subscription, plans: ctx.config.catalogue.plans, details: { expires_at: expiresAt.toISOString() }, now });
    // A plan the catalogue no longer has: the notice could not say what the customer pays.
    if (queued.outcome === 'skipped') throw new RecurError('conflict', `no portal link e-mailed: ${queued.reason}`);
    if (queued.written === 0) return false;
    const returnUrl = ctx.config.catalogue.pages.shop_url ?? messaging.publicBaseUrl;
    await insertPortalLink(tx, { tokenHash: hashPortalSecret(portalEntryToken(messaging.linkSecret, businessKey)), customerId: customer.id, returnUrl, locale: null, expiresAt }, now);
    await recordAudit(tx, { at: now, actor: `link:${subscription.id}`, entity: 'customer', entityId: customer.id, action: 'portal_link_emailed', before: null, after: { expires_at: expiresAt.toISOString() } });
    return true;
  });
  return { kind: sent ? 'sent' : 'already_sent', customer, expiresAt };
}
