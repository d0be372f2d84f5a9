import type { ProviderOperations } from '../provider-operations.ts';
import type { PaypalClient } from './create-paypal-client.ts';
import { createPaypalChangeOperations } from './paypal-change-operations.ts';
import { createPaypalCoreOperations, type PaypalGatewayOptions } from './paypal-core-operations.ts';
import { createPaypalReconciliationOperations } from './paypal-reconciliation-operations.ts';
import { createPaypalRiskOperations } from './paypal-risk-operations.ts';
import { createPaypalRefundOperations } from './paypal-refund-operations.ts';
import { listAllRecurSubscriptions } from './paypal-subscription-list.ts';
import { createPaypalSubscriptionReads } from './paypal-subscription-reads.ts';

export type { PaypalGatewayOptions } from './paypal-core-operations.ts';

/** recur's provider operations over PayPal's client layer (create-paypal-client.ts), one file per part of the interface. */
export function createPaypalGateway(client: PaypalClient, options: PaypalGatewayOptions): ProviderOperations {
  const reads = createPaypalSubscriptionReads(client);
  const subscriptionsOfPayer = async (payerId: string) => (await listAllRecurSubscriptions(client.sdk)).filter((raw) => raw.subscriber?.payerId === payerId);
  return {
    ...createPaypalCoreOperations(client, reads, options),
    ...createPaypalReconciliationOperations(client, reads),
    ...createPaypalChangeOperations(client, reads),
    ...createPaypalRiskOperations(client, reads, subscriptionsOfPayer),
    ...createPaypalRefundOperations(client),
  };
}
