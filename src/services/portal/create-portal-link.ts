import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import type { Locale } from '../../db/repositories/customer-repository.ts';
import { insertPortalLink } from '../../db/repositories/portal-repository.ts';
import { publicBaseUrlOf } from '../../runtime/public-base-url.ts';
import { getCustomer } from '../customers/get-customer.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { hashPortalSecret, newPortalSecret } from './portal-secret.ts';

/** How long a portal link can be opened: long enough for a redirect, short enough not to sit in a mailbox. */
export const PORTAL_LINK_VALIDITY_MS = 60 * 60 * 1000;

export type PortalLink = { url: string; expiresAt: Date };

/**
 * A one-time link into the portal for one customer: the shop's backend asks for it when the
 * customer clicks "manage subscription" and sends the browser there. The token is random and
 * only its hash is stored, so the link can be spent (and is useless in a copy of the database).
 */
export async function createPortalLink(ctx: ServiceContext, input: { customerExternalId: string; returnUrl: string; locale: Locale | null }, actor: Actor): Promise<PortalLink> {
  const customer = await getCustomer(ctx, input.customerExternalId);
  const token = newPortalSecret();
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + PORTAL_LINK_VALIDITY_MS);
  await ctx.db.transaction(async (tx) => {
    await insertPortalLink(tx, { tokenHash: hashPortalSecret(token), customerId: customer.id, returnUrl: input.returnUrl, locale: input.locale, expiresAt }, now);
    await recordAudit(tx, { at: now, actor, entity: 'customer', entityId: customer.id, action: 'portal_link_created', before: null, after: { expires_at: expiresAt.toISOString() } });
  });
  return { url: `${publicBaseUrlOf(ctx.config)}/portal/enter?token=${token}`, expiresAt };
}
