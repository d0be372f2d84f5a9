import type { Queryable } from '../db/database.ts';
import { readEntitlementFactsOfCustomer } from '../db/repositories/entitlement-repository.ts';
import { recordOutgoingEvent } from '../db/repositories/outgoing-event-repository.ts';
import { lockRecordedEntitlement, storeRecordedEntitlement, type RecordedEntitlement } from '../db/repositories/recorded-entitlement-repository.ts';
import { decideCustomerEntitlement } from '../domain/entitlement.ts';
import { toEntitlementObject } from '../presentation/entitlement-object.ts';
import type { OutgoingEventContext } from './event-context.ts';
import { nextDecisionNumber } from './number-decisions.ts';

// A customer nothing was recorded for yet: what a new customer is, so creating one tells nothing.
const NOTHING_RECORDED: RecordedEntitlement = { entitled: false, reason: 'no_subscription', until: null };

const sameEntitlement = (a: RecordedEntitlement, b: RecordedEntitlement) => a.entitled === b.entitled && a.reason === b.reason && a.until === b.until;

/**
 * Decides the customer's entitlement as the API answers it, at `ctx.now`, and records
 * `entitlement.changed` when it differs from the last one recorded (entitled or not, the reason, or
 * until when). Called in the transaction of every change that can move it, after the change; and
 * by the job for the changes time alone makes. `occurredAt`: the time of the fact that moved it,
 * or the end of the recorded entitlement when that has passed and came first.
 */
export async function recordEntitlementChange(tx: Queryable, input: { customerId: string; occurredAt: Date }, ctx: OutgoingEventContext): Promise<boolean> {
  const recorded = await lockRecordedEntitlement(tx, input.customerId);
  if (recorded === undefined) return false;
  const facts = await readEntitlementFactsOfCustomer(tx, input.customerId, ctx.now);
  if (!facts) return false;
  const decision = decideCustomerEntitlement(facts, ctx.now, ctx.entitlementPolicy);
  const data = toEntitlementObject({ customerExternalId: facts.customerExternalId, checkedAt: ctx.now, ...decision });
  const current: RecordedEntitlement = { entitled: data.entitled, reason: data.reason, until: data.until };
  if (sameEntitlement(current, recorded ?? NOTHING_RECORDED)) return false;
  // Numbered: a customer can come back to an entitlement they had (a resume), and each change counts.
  const keyPrefix = `entitlement.changed:${input.customerId}:`;
  const number = await nextDecisionNumber(tx, { customerId: input.customerId, type: 'entitlement.changed', keyPrefix });
  // What was recorded had run out by now: time ended it then, whatever write noticed it first.
  const ranOutAt = recorded?.until && Date.parse(recorded.until) <= ctx.now.getTime() ? new Date(recorded.until) : null;
  await recordOutgoingEvent(tx, {
    type: 'entitlement.changed',
    customerId: input.customerId,
    businessKey: `${keyPrefix}${number}:${current.entitled ? 'entitled' : 'not_entitled'}:${current.reason}:${current.until ?? 'open'}`,
    data,
    occurredAt: ranOutAt && ranOutAt.getTime() < input.occurredAt.getTime() ? ranOutAt : input.occurredAt,
    now: ctx.now,
  });
  await storeRecordedEntitlement(tx, input.customerId, current);
  return true;
}
