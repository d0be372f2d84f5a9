import type { EntitlementPolicy } from '../../domain/entitlement.ts';
import type { ServiceSettings } from '../service-context.ts';

/** The entitlement rule from the settings: the API's answer and `entitlement.changed` decide with the same one. */
export const entitlementPolicyOf = (config: Pick<ServiceSettings, 'PAST_DUE_GRACE_DAYS' | 'ENTITLEMENT_WHILE_PROCESSING'>): EntitlementPolicy => ({
  pastDueGraceDays: config.PAST_DUE_GRACE_DAYS,
  entitledWhileProcessing: config.ENTITLEMENT_WHILE_PROCESSING !== 'deny',
});
