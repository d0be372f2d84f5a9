import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findCustomerByExternalId, updateCustomer as updateCustomerRow, type CustomerChanges, type CustomerRecord, type Locale } from '../../db/repositories/customer-repository.ts';
import { notFound, validationFailed } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';

export type CustomerUpdate = {
  email?: string;
  name?: string | null;
  phone?: string | null;
  locale?: Locale;
  banned?: boolean;
  bannedReason?: string;
};

/** Applies a partial update under a row lock and logs before/after in the same transaction. */
export async function updateCustomer(ctx: ServiceContext, externalId: string, update: CustomerUpdate, actor: Actor): Promise<CustomerRecord> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const before = await findCustomerByExternalId(tx, externalId, { forUpdate: true });
    if (!before) throw notFound('customer', externalId);
    const changes = toChanges(before, update, now);
    const after = await updateCustomerRow(tx, before.id, changes, now);
    await recordAudit(tx, {
      at: now,
      actor,
      entity: 'customer',
      entityId: before.id,
      action: update.banned === true && !before.banned ? 'ban' : update.banned === false && before.banned ? 'unban' : 'update',
      before,
      after,
      reason: update.bannedReason ?? null,
    });
    return after;
  });
}

function toChanges(before: CustomerRecord, update: CustomerUpdate, now: Date): CustomerChanges {
  const { banned, bannedReason, ...contact } = update;
  const changes: CustomerChanges = { ...contact };
  if (banned === true) {
    if (!bannedReason) throw validationFailed('banned_reason: required when banning a customer');
    if (!before.banned) changes.bannedAt = now;
    changes.banned = true;
    changes.bannedReason = bannedReason;
  } else if (banned === false) {
    if (bannedReason !== undefined) throw validationFailed('banned_reason: only allowed when banning a customer');
    Object.assign(changes, { banned: false, bannedReason: null, bannedAt: null });
  } else if (bannedReason !== undefined) {
    if (!before.banned) throw validationFailed('banned_reason: the customer is not banned; send banned: true with it');
    changes.bannedReason = bannedReason;
  }
  return changes;
}
