import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findCustomerByExternalId } from '../../db/repositories/customer-repository.ts';
import { findProviderCustomerId } from '../../db/repositories/provider-customer-repository.ts';
import { conflict, notFound } from '../../shared/errors.ts';
import { requireCapability, requirePaymentProvider } from '../require-payment-provider.ts';
import type { Actor, ServiceContext } from '../service-context.ts';

/** A billing-portal session (Stripe's) where the customer updates their card. The URL is a credential: it is answered, never logged or stored. */
export async function openBillingPortal(ctx: ServiceContext, input: { customerExternalId: string; returnUrl: string }, actor: Actor): Promise<{ url: string }> {
  const provider = requirePaymentProvider(ctx, 'stripe');
  requireCapability(provider, 'billingPortal');
  const customer = await findCustomerByExternalId(ctx.db, input.customerExternalId);
  if (!customer) throw notFound('customer', input.customerExternalId);
  const providerCustomerId = await findProviderCustomerId(ctx.db, customer.id, provider.id);
  if (!providerCustomerId) throw conflict(`customer "${customer.externalId}" has no ${provider.name} customer yet (start a checkout first)`);
  // Each request is a new short-lived session; the key only makes the SDK's own retries safe.
  const session = await provider.gateway.createBillingPortalSession({ providerCustomerId, returnUrl: input.returnUrl, locale: customer.locale }, `recur:billing-portal:${customer.id}:${randomUUID()}`);
  const now = ctx.clock.now();
  await ctx.db.transaction((tx) => recordAudit(tx, { at: now, actor, entity: 'customer', entityId: customer.id, action: 'billing_portal_opened', before: null, after: { provider: provider.id } }));
  return { url: session.url };
}
