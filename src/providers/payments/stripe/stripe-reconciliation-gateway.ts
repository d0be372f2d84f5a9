import type Stripe from 'stripe';
import { RecurError } from '../../../shared/errors.ts';
import { callStripe } from './stripe-errors.ts';
import type { ListedCustomer, ReconciliationOperations } from '../reconciliation-operations.ts';
import { toProviderSubscription } from './stripe-mappers.ts';

/** Stripe's page size maximum: a full run costs one request per 100 objects. */
export const LIST_PAGE_SIZE = 100;

function toListedCustomer(customer: string | Stripe.Customer | Stripe.DeletedCustomer): ListedCustomer | null {
  if (typeof customer === 'string' || customer.deleted) return null;
  return { id: customer.id, email: customer.email ?? null, name: customer.name ?? null, metadata: { ...customer.metadata } };
}

const nextCursor = <T extends { id: string }>(list: Stripe.ApiList<T>): string | null => (list.has_more ? (list.data.at(-1)?.id ?? null) : null);

export function createStripeReconciliationGateway(stripe: Stripe): ReconciliationOperations {
  return {
    async listSubscriptionsPage(startingAfter) {
      const list = await callStripe('listing subscriptions', () =>
        // The customer comes expanded in the same page: never one request per subscription.
        stripe.subscriptions.list({ status: 'all', limit: LIST_PAGE_SIZE, expand: ['data.customer'], ...(startingAfter ? { starting_after: startingAfter } : {}) }),
      );
      return {
        items: list.data.map((subscription) => ({ ...toProviderSubscription(subscription), created: new Date(subscription.created * 1000), customer: toListedCustomer(subscription.customer) })),
        nextCursor: nextCursor(list),
      };
    },

    async listCustomersPage(startingAfter) {
      const list = await callStripe('listing customers', () => stripe.customers.list({ limit: LIST_PAGE_SIZE, ...(startingAfter ? { starting_after: startingAfter } : {}) }));
      return {
        items: list.data.map((customer) => toListedCustomer(customer)!),
        nextCursor: nextCursor(list),
      };
    },

    async listEventsPage({ createdFrom, startingAfter }) {
      const list = await callStripe('listing events', () =>
        stripe.events.list({
          limit: LIST_PAGE_SIZE,
          ...(createdFrom ? { created: { gte: Math.floor(createdFrom.getTime() / 1000) } } : {}),
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      );
      return {
        // Plain JSON, as a webhook body would be stored: nothing of the SDK's response object.
        items: list.data.map((event) => ({ id: event.id, type: event.type, created: new Date(event.created * 1000), payload: JSON.parse(JSON.stringify(event)) as unknown })),
        nextCursor: nextCursor(list),
      };
    },

    async updateCustomerEmail({ providerCustomerId, email, idempotencyKey }) {
      await callStripe(`updating the e-mail of customer ${providerCustomerId}`, () => stripe.customers.update(providerCustomerId, { email }, { idempotencyKey }));
    },

    // Not needed: a run recovers Stripe's payments from its events list (invoice.paid, charge.*), so it never asks.
    listSubscriptionPayments: () => Promise.reject(new RecurError('not_supported_by_provider', 'Stripe\'s payments are recovered from its events list, not per subscription')),
  };
}
