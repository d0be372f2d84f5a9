import { findCustomerById, type CustomerRecord, type Locale } from '../../db/repositories/customer-repository.ts';
import { findLivePortalSession } from '../../db/repositories/portal-repository.ts';
import type { ServiceContext } from '../service-context.ts';
import { hashPortalSecret, PORTAL_SECRET_MAX_LENGTH } from './portal-secret.ts';

/** Who a live portal session belongs to, and what the pages need to frame themselves. */
export type PortalViewer = { customer: CustomerRecord; returnUrl: string; locale: Locale; expiresAt: Date };

/** The viewer of a session id from a cookie; null when there is none, or it is unknown or expired. */
export async function readPortalSession(ctx: ServiceContext, sessionId: string | undefined): Promise<PortalViewer | null> {
  if (!sessionId || sessionId.length > PORTAL_SECRET_MAX_LENGTH) return null;
  const session = await findLivePortalSession(ctx.db, hashPortalSecret(sessionId), ctx.clock.now());
  if (!session) return null;
  const customer = await findCustomerById(ctx.db, session.customerId);
  if (!customer) return null;
  return { customer, returnUrl: session.returnUrl, locale: session.locale ?? customer.locale, expiresAt: session.expiresAt };
}
