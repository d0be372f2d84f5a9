import { readEntitlementFacts } from '../../db/repositories/entitlement-repository.ts';
import { decideCustomerEntitlement, type CustomerEntitlement } from '../../domain/entitlement.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';
import { entitlementPolicyOf } from './entitlement-policy.ts';

export type EntitlementAnswer = { customerExternalId: string; checkedAt: Date } & CustomerEntitlement;

/** The question the shop asks on every page view: may this customer use the product now? */
export async function checkEntitlement(ctx: ServiceContext, externalId: string): Promise<EntitlementAnswer> {
  const now = ctx.clock.now();
  const facts = await readEntitlementFacts(ctx.db, externalId, now);
  if (!facts) throw notFound('customer', externalId);
  const decision = decideCustomerEntitlement(facts, now, entitlementPolicyOf(ctx.config));
  return { customerExternalId: externalId, checkedAt: now, ...decision };
}
