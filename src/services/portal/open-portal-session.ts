import { findCustomerById, type Locale } from '../../db/repositories/customer-repository.ts';
import { findPortalLink, insertPortalSession, spendPortalLink } from '../../db/repositories/portal-repository.ts';
import type { ServiceContext } from '../service-context.ts';
import { hashPortalSecret, newPortalSecret, PORTAL_SECRET_MAX_LENGTH } from './portal-secret.ts';

/** How long a browser stays in the portal after opening a link; then the shop's backend makes a new link. */
export const PORTAL_SESSION_VALIDITY_MS = 60 * 60 * 1000;

/**
 * What opening a portal link came to. `spent` and `expired` carry the language of the page that
 * says so (the link's, else the customer's); an unknown token tells nothing.
 */
export type PortalEntry =
  | { kind: 'opened'; sessionId: string; expiresAt: Date }
  | { kind: 'spent' | 'expired'; locale: Locale }
  | { kind: 'unknown' };

/**
 * Spends the link and starts a browser session for its customer, in one transaction: a link
 * opens exactly one session, however often (or however simultaneously) it is visited.
 */
export async function openPortalSession(ctx: ServiceContext, token: string): Promise<PortalEntry> {
  if (token.length === 0 || token.length > PORTAL_SECRET_MAX_LENGTH) return { kind: 'unknown' };
  const tokenHash = hashPortalSecret(token);
  const now = ctx.clock.now();
  const opened = await ctx.db.transaction(async (tx) => {
    const grant = await spendPortalLink(tx, tokenHash, now);
    if (!grant) return null;
    const sessionId = newPortalSecret();
    const expiresAt = new Date(now.getTime() + PORTAL_SESSION_VALIDITY_MS);
    await insertPortalSession(tx, { sessionHash: hashPortalSecret(sessionId), customerId: grant.customerId, returnUrl: grant.returnUrl, locale: grant.locale, expiresAt }, now);
    return { kind: 'opened' as const, sessionId, expiresAt };
  });
  if (opened) return opened;
  const link = await findPortalLink(ctx.db, tokenHash);
  if (!link) return { kind: 'unknown' };
  const customer = await findCustomerById(ctx.db, link.customerId);
  const locale = link.locale ?? customer?.locale ?? ctx.config.DEFAULT_LOCALE;
  return { kind: link.spentAt ? 'spent' : 'expired', locale };
}
