import { readEntitlementFacts } from '../../db/repositories/entitlement-repository.ts';
import { decideEntitlement, type Entitlement } from '../../domain/entitlement.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export type EntitlementAnswer = { customerExternalId: string; checkedAt: Date } & (Entitlement | { entitled: false; reason: 'banned' });

/** The question the shop asks on every page view: may this customer use the product now? */
export async function checkEntitlement(ctx: ServiceContext, externalId: string): Promise<EntitlementAnswer> {
  const now = ctx.clock.now();
  const facts = await readEntitlementFacts(ctx.db, externalId, now);
  if (!facts) throw notFound('customer', externalId);
  // A banned customer (fraud, abuse) loses access at once, whatever their subscriptions say.
  if (facts.banned) return { customerExternalId: externalId, checkedAt: now, entitled: false, reason: 'banned' };
  const decision = decideEntitlement(facts.subscriptions, now, { pastDueGraceDays: ctx.config.PAST_DUE_GRACE_DAYS }, facts.prepaid);
  return { customerExternalId: externalId, checkedAt: now, ...decision };
}
