import type { CustomerEntitlement } from '../domain/entitlement.ts';

/** The entitlement as `GET /v1/customers/{id}/entitlement` answers it and `entitlement.changed` carries it. */
export type EntitlementObject = {
  customer: string;
  entitled: boolean;
  reason: CustomerEntitlement['reason'];
  until: string | null;
  subscription_id: string | null;
  prepaid_period_id?: string;
  checked_at: string;
};

export const toEntitlementObject = (answer: { customerExternalId: string; checkedAt: Date } & CustomerEntitlement): EntitlementObject => ({
  customer: answer.customerExternalId,
  entitled: answer.entitled,
  reason: answer.reason,
  until: answer.entitled && answer.until ? answer.until.toISOString() : null,
  subscription_id: answer.entitled && 'subscriptionId' in answer ? answer.subscriptionId : null,
  ...(answer.entitled && 'prepaidPeriodId' in answer ? { prepaid_period_id: answer.prepaidPeriodId } : {}),
  checked_at: answer.checkedAt.toISOString(),
});
