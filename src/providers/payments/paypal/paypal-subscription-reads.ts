import type { Subscription, SubscriptionTransactionDetails } from '@paypal/paypal-server-sdk';
import type { PaypalClient } from './create-paypal-client.ts';
import { isPaymentFailingAtPaypal, toPaypalProviderSubscription } from './map-paypal-subscription.ts';
import { firstFailureOfIncident } from './paypal-past-due-since.ts';
import { createPlanLookupKeys } from './paypal-plan-catalogue.ts';
import type { PaypalProviderSubscription } from './paypal-provider-types.ts';

const MINUTE_MS = 60_000;

const timeOf = (text: string | undefined | null): number => (text ? Date.parse(text) || 0 : 0);

/** A subscription read from PayPal: as PayPal answered it, and in recur's shape. */
export type PaypalSubscriptionRead = { raw: Subscription; subscription: PaypalProviderSubscription };

export type PaypalSubscriptionReads = {
  /** With `pastDueSince` (read from the transactions) when payments are failing; null for an id PayPal does not know. */
  read(id: string): Promise<PaypalSubscriptionRead | null>;
  /** In recur's shape; `withPastDueSince` reads the transactions when payments are failing. */
  toNeutral(raw: Subscription, options: { withPastDueSince: boolean }): Promise<PaypalProviderSubscription>;
  /** Every transaction of the subscription (sales and declined attempts), oldest first. */
  transactions(raw: Subscription): Promise<SubscriptionTransactionDetails[]>;
};

/**
 * Subscription reads shared by every part of the gateway: the plan's lookup key (read once per
 * plan), and the transactions, whose window is PayPal's own: from the subscription's start to its
 * last change (no payment is newer than the state that records it), so recur's clock plays no part.
 */
export function createPaypalSubscriptionReads(client: PaypalClient): PaypalSubscriptionReads {
  const lookupKeyOf = createPlanLookupKeys(client.sdk);

  const transactions = async (raw: Subscription): Promise<SubscriptionTransactionDetails[]> => {
    if (!raw.id) return [];
    const from = timeOf(raw.startTime ?? raw.createTime) - MINUTE_MS;
    const to = Math.max(timeOf(raw.updateTime), timeOf(raw.statusUpdateTime), timeOf(raw.billingInfo?.lastFailedPayment?.time), timeOf(raw.billingInfo?.lastPayment?.time)) + MINUTE_MS;
    const list = await client.sdk.listSubscriptionTransactions(raw.id, new Date(Math.max(from, 0)), new Date(to));
    return [...(list.transactions ?? [])].sort((a, b) => timeOf(a.time) - timeOf(b.time));
  };

  const toNeutral: PaypalSubscriptionReads['toNeutral'] = async (raw, { withPastDueSince }) => {
    const planLookupKey = await lookupKeyOf(raw.planId ?? null);
    const shallow = toPaypalProviderSubscription(raw, { planLookupKey });
    if (!withPastDueSince) return shallow;
    const pastDueSince = isPaymentFailingAtPaypal(shallow.status) ? firstFailureOfIncident(await transactions(raw)) : null;
    return { ...shallow, pastDueSince };
  };

  return {
    async read(id) {
      const raw = await client.sdk.getSubscription(id);
      return raw ? { raw, subscription: await toNeutral(raw, { withPastDueSince: true }) } : null;
    },
    toNeutral,
    transactions,
  };
}
