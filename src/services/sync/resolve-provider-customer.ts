import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findCustomerIdByProviderCustomer, linkProviderCustomer } from '../../db/repositories/provider-customer-repository.ts';
import { findCustomerByExternalId, type Locale } from '../../db/repositories/customer-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import { toStorableText } from '../../shared/storable-text.ts';
import type { Actor } from '../service-context.ts';
import { recordCustomerCreated } from '../../outgoing-events/record-customer-event.ts';

export type ProviderCustomerHint = {
  provider: ProviderId;
  providerCustomerId: string;
  /** recur's id as recur wrote it into the provider's metadata, when present. */
  metadataCustomerId: string | null;
  /** The recur customer found linked to it beforehand (links are never moved or removed), if any. */
  linkedCustomerId?: string | null;
  /** The provider's customer, read beforehand, for a customer recur has never seen. */
  details: { email: string | null; name: string | null } | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The recur customer behind a provider object: the recur id in its metadata (then linked, unless
 * the provider customer is linked already); else the stored link; else a new recur customer with external id
 * `<provider>:<provider customer id>` (created outside recur, e.g. in the Stripe dashboard), so its
 * subscription is still tracked, and the audit log says why it appeared. null without details.
 * A customer it links (or creates) is locked before the link is written.
 */
export async function resolveProviderCustomer(tx: Queryable, hint: ProviderCustomerHint, ctx: { now: Date; actor: Actor; defaultLocale: Locale }): Promise<string | null> {
  // recur's own id, written on the object at checkout, names its customer even when the provider
  // customer is shared: one PayPal payer may pay for several recur customers, each linked to it.
  if (hint.metadataCustomerId && UUID.test(hint.metadataCustomerId)) {
    // Locked before the link is written: the customer's row comes first in every write about them.
    const known = await tx.query<{ id: string }>('SELECT id FROM customers WHERE id = $1 FOR UPDATE', [hint.metadataCustomerId]);
    if (known.rows[0]) {
      await linkProviderCustomer(tx, { customerId: known.rows[0].id, provider: hint.provider, providerCustomerId: hint.providerCustomerId }, ctx.now);
      return known.rows[0].id;
    }
  }
  const linked = hint.linkedCustomerId ?? (await findCustomerIdByProviderCustomer(tx, hint.provider, hint.providerCustomerId));
  if (linked) return linked;
  if (!hint.details) return null;
  const externalId = `${hint.provider}:${hint.providerCustomerId}`;
  // A provider customer without an e-mail still needs a row; .invalid never delivers (RFC 2606).
  const email = toStorableText(hint.details.email ?? `${hint.providerCustomerId}@unknown.invalid`);
  // The provider's word is stored even where the database cannot hold a character of it (U+0000):
  // refusing it would fail the event that brought it on every attempt.
  const name = hint.details.name === null ? null : toStorableText(hint.details.name);
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO customers (external_id, email, name, phone, locale, created_at, updated_at) VALUES ($1, $2, $3, NULL, $4, $5, $5)
     ON CONFLICT (external_id) DO NOTHING RETURNING id`,
    [externalId, email, name, ctx.defaultLocale, ctx.now],
  );
  const customerId = inserted.rows[0]?.id ?? (await tx.query<{ id: string }>('SELECT id FROM customers WHERE external_id = $1 FOR UPDATE', [externalId])).rows[0]!.id;
  if (inserted.rows[0]) {
    await recordAudit(tx, {
      at: ctx.now,
      actor: ctx.actor,
      entity: 'customer',
      entityId: customerId,
      action: 'create',
      before: null,
      after: { externalId, email, name },
      reason: `unknown ${hint.provider} customer ${hint.providerCustomerId}`,
    });
    await recordCustomerCreated(tx, (await findCustomerByExternalId(tx, externalId))!, ctx.now);
  }
  await linkProviderCustomer(tx, { customerId, provider: hint.provider, providerCustomerId: hint.providerCustomerId }, ctx.now);
  return customerId;
}
