import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import type { ListedCustomer } from '../../providers/payments/reconciliation-operations.ts';
import type { RunScope } from './run-scope.ts';

// resolve-provider-customer.ts gives a provider customer without an e-mail this placeholder; it is never sent to Stripe.
const PLACEHOLDER_DOMAIN = '@unknown.invalid';

/**
 * The Stripe customers of one page of subscriptions (each came expanded in that page) against
 * the recur customers they are linked to, one query a page, each customer once a run (`compared`
 * carries the ones already done). recur owns the e-mail (the shop sets it through the API), so a
 * different one at Stripe is set back to recur's, with a run-scoped idempotency key: a retry
 * within the run changes nothing twice, and a later run can set it again if someone changed it at
 * Stripe once more. A Stripe customer without any subscription is not listed, so not compared:
 * no subscription, nothing Stripe bills or mails them for.
 */
export async function reconcileCustomerEmails(scope: RunScope, customers: readonly ListedCustomer[], compared: Set<string>): Promise<void> {
  const fresh = new Map<string, ListedCustomer>();
  for (const customer of customers) if (!compared.has(customer.id)) fresh.set(customer.id, customer);
  if (fresh.size === 0) return;
  const linked = await loadLinkedCustomers(scope, [...fresh.keys()]);
  for (const customer of fresh.values()) {
    compared.add(customer.id);
    const recur = linked.get(customer.id);
    if (!recur || recur.email === customer.email || recur.email.endsWith(PLACEHOLDER_DOMAIN)) continue;
    await setStripeEmail(scope, customer, recur);
  }
}

async function loadLinkedCustomers(scope: RunScope, providerCustomerIds: readonly string[]): Promise<Map<string, { id: string; email: string }>> {
  if (providerCustomerIds.length === 0) return new Map();
  const result = await scope.ctx.db.query<{ provider_customer_id: string; id: string; email: string }>(
    `SELECT pc.provider_customer_id, c.id, c.email FROM provider_customers pc JOIN customers c ON c.id = pc.customer_id
      WHERE pc.provider = $2 AND pc.provider_customer_id = ANY($1::text[])`,
    [providerCustomerIds, scope.provider.id],
  );
  return new Map(result.rows.map((row) => [row.provider_customer_id, { id: row.id, email: row.email }]));
}

async function setStripeEmail(scope: RunScope, customer: ListedCustomer, recur: { id: string; email: string }): Promise<void> {
  await scope.gateway.updateCustomerEmail({ providerCustomerId: customer.id, email: recur.email, idempotencyKey: `recur:${scope.actor}:customer-email:${customer.id}` });
  await scope.ctx.db.transaction(async (tx) => {
    const now = scope.ctx.clock.now();
    await recordAudit(tx, {
      at: now,
      actor: scope.actor,
      entity: 'customer',
      entityId: recur.id,
      action: 'provider_email_set',
      before: { provider: 'stripe', provider_customer_id: customer.id, email: customer.email },
      after: { provider: 'stripe', provider_customer_id: customer.id, email: recur.email },
      reason: "Stripe's e-mail differed from recur's",
    });
    await scope.record(tx, {
      kind: 'email_mismatch',
      providerObjectId: customer.id,
      recurId: recur.id,
      found: { recur: recur.email, provider: customer.email },
      action: "Stripe's e-mail set to recur's",
    });
  });
}
