import type { ProviderOperations } from '../../providers/payments/provider-operations.ts';
import { inLane } from '../../shared/request-budget.ts';
import type { RequestRateLimiter } from './request-rate-limiter.ts';

/** What a reconciliation run asks Stripe; every call is one request (the SDK's own retries aside). */
export type ReconcileGateway = Pick<ProviderOperations, 'listSubscriptionsPage' | 'listCustomersPage' | 'listEventsPage' | 'updateCustomerEmail' | 'retrieveSubscription' | 'listSubscriptionPayments'>;

/**
 * The gateway with every call counted by the run's limiter first, and sent in the process budget's
 * 'reconciliation' lane: while the webhook worker is busy, a run still gets its fair share.
 */
export function limitGateway(gateway: ReconcileGateway, limiter: RequestRateLimiter): ReconcileGateway {
  const limited = <Args extends unknown[], Result>(call: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      await limiter.take();
      return inLane('reconciliation', () => call(...args));
    };
  return {
    listSubscriptionsPage: limited((startingAfter) => gateway.listSubscriptionsPage(startingAfter)),
    listCustomersPage: limited((startingAfter) => gateway.listCustomersPage(startingAfter)),
    listEventsPage: limited((input) => gateway.listEventsPage(input)),
    updateCustomerEmail: limited((input) => gateway.updateCustomerEmail(input)),
    retrieveSubscription: limited((id) => gateway.retrieveSubscription(id)),
    listSubscriptionPayments: limited((input) => gateway.listSubscriptionPayments(input)),
  };
}
