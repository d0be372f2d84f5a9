import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import {
  findCustomerByExternalId,
  hasSmsConsent,
  updateCustomer as updateCustomerRow,
  type CustomerChanges,
  type CustomerRecord,
  type Locale,
} from '../../db/repositories/customer-repository.ts';
import { notFound, validationFailed } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { recordCustomerUpdated } from '../../outgoing-events/record-customer-event.ts';
import { entitlementPolicyOf } from '../entitlement/entitlement-policy.ts';

export type CustomerUpdate = {
  email?: string;
  name?: string | null;
  phone?: string | null;
  locale?: Locale;
  banned?: boolean;
  bannedReason?: string;
  /** An IANA zone; null clears it (the configured default applies). */
  timeZone?: string | null;
  /** true: the customer agreed to SMS now; false: they withdrew it now. */
  smsConsent?: boolean;
};

type ConsentState = Pick<CustomerRecord, 'smsConsentAt' | 'smsConsentWithdrawnAt'>;

/**
 * What the shop saying "consent: yes / no" changes. Saying what already holds changes nothing, so
 * the recorded moment stays the one the customer first agreed (or withdrew); agreeing again after
 * a withdrawal (a STOP) records a new consent, newer than the withdrawal.
 */
export function smsConsentChanges(current: ConsentState, consent: boolean | undefined, now: Date): Partial<ConsentState> {
  if (consent === undefined) return {};
  const counts = hasSmsConsent(current);
  if (consent && !counts) return { smsConsentAt: now };
  if (!consent && (counts || current.smsConsentWithdrawnAt === null)) return { smsConsentWithdrawnAt: now };
  return {};
}

/**
 * Consent to SMS is consent for a phone number: without one it is refused, and removing the
 * number withdraws it (a later number needs a new yes). Refusing the removal instead would make
 * a shop's plain contact sync fail whenever a customer deletes their number.
 */
export function smsConsentForPhone(current: ConsentState, phoneAfter: string | null, consent: boolean | undefined): boolean | undefined {
  if (consent === true && !phoneAfter) throw validationFailed('sms_consent: true needs a phone number (phone, E.164) to send SMS to');
  if (consent === undefined && !phoneAfter && hasSmsConsent(current)) return false;
  return consent;
}

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
    await recordCustomerUpdated(tx, { before, after }, { now, entitlementPolicy: entitlementPolicyOf(ctx.config) });
    return after;
  });
}

function toChanges(before: CustomerRecord, update: CustomerUpdate, now: Date): CustomerChanges {
  const { banned, bannedReason, smsConsent, ...contact } = update;
  const phoneAfter = contact.phone === undefined ? before.phone : contact.phone;
  const changes: CustomerChanges = { ...contact, ...smsConsentChanges(before, smsConsentForPhone(before, phoneAfter, smsConsent), now) };
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
