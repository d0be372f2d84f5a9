import type { Subscription } from '@paypal/paypal-server-sdk';
import { RecurError } from '../../../shared/errors.ts';
import type { ListedCustomer, ListedSubscription, ReconciliationOperations } from '../reconciliation-operations.ts';
import type { PaypalClient } from './create-paypal-client.ts';
import { toPaypalProviderPaymentFromTransaction } from './map-paypal-payments.ts';
import { listRecurSubscriptionsPage } from './paypal-subscription-list.ts';
import type { PaypalSubscriptionReads } from './paypal-subscription-reads.ts';

const dateOf = (text: string | undefined): Date => new Date(text ? Date.parse(text) || 0 : 0);

/** The payer of an approved subscription, as the customer PayPal does not otherwise have. */
function payerOf(raw: Subscription): ListedCustomer | null {
  const payerId = raw.subscriber?.payerId;
  if (!payerId) return null;
  const name = [raw.subscriber?.name?.givenName, raw.subscriber?.name?.surname].filter(Boolean).join(' ');
  return { id: payerId, email: raw.subscriber?.emailAddress ?? null, name: name || null, metadata: raw.customId ? { recur_customer_id: raw.customId } : {} };
}

/** The newest payment or failed attempt PayPal reports on the subscription: a run reads its transactions only when recur lacks it. */
function lastPaymentActivityOf(raw: Subscription): Date | null {
  const times = [raw.billingInfo?.lastPayment?.time, raw.billingInfo?.lastFailedPayment?.time].flatMap((text) => (text && !Number.isNaN(Date.parse(text)) ? [Date.parse(text)] : []));
  return times.length > 0 ? new Date(Math.max(...times)) : null;
}

const pageOf = (cursor: string | null): number => (cursor ? Math.max(Number.parseInt(cursor, 10) || 1, 1) : 1);

/**
 * Reconciliation's reads of PayPal. PayPal lists subscriptions only per billing plan (all of
 * recur's plans are asked at once, pages numbered: the cursor is the next page) and has no
 * customers, no events list recur uses and no way to change a payer's e-mail: customers are the
 * subscriptions' payers, payments are each subscription's transactions, and the rest is declared
 * in the capabilities (docs/adr/0025).
 */
export function createPaypalReconciliationOperations(client: PaypalClient, reads: PaypalSubscriptionReads): ReconciliationOperations {
  return {
    async listSubscriptionsPage(cursor) {
      const page = pageOf(cursor);
      const { subscriptions, last } = await listRecurSubscriptionsPage(client.sdk, page);
      const items: ListedSubscription[] = [];
      for (const raw of subscriptions) {
        const customer = payerOf(raw);
        // Never approved: an unfinished checkout, nobody's subscription.
        if (!customer) continue;
        items.push({ ...(await reads.toNeutral(raw, { withPastDueSince: false })), providerCustomerId: customer.id, created: dateOf(raw.createTime), customer, lastPaymentActivityAt: lastPaymentActivityOf(raw) });
      }
      return { items, nextCursor: last ? null : String(page + 1) };
    },

    async listCustomersPage(cursor) {
      // A payer with several subscriptions is listed once per page it appears on.
      const page = pageOf(cursor);
      const { subscriptions, last } = await listRecurSubscriptionsPage(client.sdk, page);
      const payers = new Map<string, ListedCustomer>();
      for (const raw of subscriptions) {
        const payer = payerOf(raw);
        if (payer && !payers.has(payer.id)) payers.set(payer.id, payer);
      }
      return { items: [...payers.values()], nextCursor: last ? null : String(page + 1) };
    },

    // Declared absent (capabilities.listEvents false): a run never asks; nothing is made up.
    listEventsPage: () => Promise.resolve({ items: [], nextCursor: null }),

    updateCustomerEmail: () => Promise.reject(new RecurError('not_supported_by_provider', 'PayPal cannot change a payer\'s e-mail address: the payer owns it')),

    // PayPal sends no list of past events recur uses: a run reads the transactions of a subscription
    // (sales, refunded or not, and declined attempts), in one request for the window.
    async listSubscriptionPayments({ providerSubscriptionId, from, to }) {
      const list = await client.sdk.listSubscriptionTransactions(providerSubscriptionId, from, to);
      return (list.transactions ?? [])
        .map((transaction) => toPaypalProviderPaymentFromTransaction(transaction, providerSubscriptionId))
        .sort((a, b) => a.at.getTime() - b.at.getTime());
    },
  };
}
