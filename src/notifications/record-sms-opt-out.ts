import type { Queryable } from '../db/database.ts';
import { recordAudit } from '../db/repositories/audit-log-repository.ts';
import { withdrawSmsConsent } from '../db/repositories/notification-delivery-repository.ts';

/**
 * The customer told the SMS provider to stop (Twilio 21610, at a send or in a status callback):
 * their consent is withdrawn, with an audit entry naming the notice that found out. Inside the
 * caller's transaction; true when consent counted until now.
 */
export async function recordSmsOptOut(tx: Queryable, input: { customerId: string; notificationId: string; reason: string; now: Date }): Promise<boolean> {
  if (!(await withdrawSmsConsent(tx, input.customerId, input.now))) return false;
  await recordAudit(tx, {
    at: input.now,
    actor: `notification:${input.notificationId}`,
    entity: 'customer',
    entityId: input.customerId,
    action: 'sms_consent_withdrawn',
    before: { sms_consent: true },
    after: { sms_consent: false },
    reason: input.reason,
  });
  return true;
}
