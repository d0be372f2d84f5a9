import type { ListedSubscription } from '../../providers/payments/reconciliation-operations.ts';
import { flagSeveralLiveSubscriptions, isLive } from './flag-several-live-subscriptions.ts';
import { endMissingSubscription, MISSING_AT_PROVIDER_STATUS } from './end-missing-subscription.ts';
import { reconcileCustomerEmails } from './reconcile-customer-emails.ts';
import { reconcileSubscription } from './repair-subscription.ts';
import { paymentWindowStart, reconcileSubscriptionPayments } from './reconcile-subscription-payments.ts';
import type { RunScope } from './run-scope.ts';
import { listStoredProviderSubscriptionIds, loadStoredSubscriptions } from './stored-subscriptions.ts';

const STORED_BATCH = 1000;

/**
 * Whose subscription it is, for the several-live check: the provider customer where the provider
 * keeps customers; else (PayPal) the recur customer in its custom_id, since one PayPal account may
 * pay for several shop accounts and one shop account never needs two subscriptions.
 */
const ownerOf = (scope: RunScope, subscription: ListedSubscription): string =>
  scope.provider.capabilities.customerObject ? subscription.providerCustomerId : (subscription.metadata['recur_customer_id'] ?? subscription.providerCustomerId);

/**
 * Stripe subscription id -> the version recur's row held when the run left it equal to what the
 * run read from Stripe. Recovered events about these, older than the read, need no applying.
 */
export type BroughtUpToDate = Map<string, Date>;

/**
 * Every Stripe subscription (all statuses, 100 a page, customers expanded) against recur's rows,
 * page by page with one query per page, and each page's customers' e-mails against recur's (the
 * expanded customer is all the comparison needs: no list of customers is read); for a provider
 * without an events list, the page's payments (reconcile-subscription-payments.ts); then what
 * recur holds that Stripe did not list.
 */
export async function reconcileSubscriptions(scope: RunScope): Promise<BroughtUpToDate> {
  const listed = new Set<string>();
  const upToDate: BroughtUpToDate = new Map();
  const comparedCustomers = new Set<string>();
  const liveByCustomer = new Map<string, { id: string; status: string }[]>();
  let pages = 0;
  let cursor: string | null = null;
  // Without an events list (PayPal) nothing else recovers a payment whose webhooks were lost.
  const readsPayments = !scope.provider.capabilities.listEvents;
  const windowStart = readsPayments ? await paymentWindowStart(scope) : null;
  do {
    const page: { items: ListedSubscription[]; nextCursor: string | null } = await scope.gateway.listSubscriptionsPage(cursor);
    pages += 1;
    const stored = await loadStoredSubscriptions(scope.ctx.db, scope.provider.id, page.items.map((subscription) => subscription.id));
    for (const subscription of page.items) {
      listed.add(subscription.id);
      if (isLive(scope.provider.id, subscription.status)) {
        const owner = ownerOf(scope, subscription);
        const live = liveByCustomer.get(owner) ?? [];
        live.push({ id: subscription.id, status: subscription.status });
        liveByCustomer.set(owner, live);
      }
      const version = await reconcileSubscription(scope, subscription, stored.get(subscription.id) ?? null);
      if (version) upToDate.set(subscription.id, version);
    }
    if (readsPayments) await reconcileSubscriptionPayments(scope, page.items, windowStart);
    if (scope.provider.capabilities.updateCustomerEmail) await reconcileCustomerEmails(scope, page.items.flatMap((subscription) => (subscription.customer ? [subscription.customer] : [])), comparedCustomers);
    cursor = page.nextCursor;
    scope.progress({ phase: 'subscriptions', pages, objects: listed.size, done: cursor === null });
  } while (cursor);

  for (const [providerCustomerId, live] of liveByCustomer) {
    if (live.length > 1) await flagSeveralLiveSubscriptions(scope, providerCustomerId, live);
  }
  await reportMissingAtProvider(scope, listed);
  return upToDate;
}

/**
 * recur's rows that Stripe's list (every status) did not return. Rows made during the run are
 * skipped (the list may have been read before they existed), and each one is read once more by
 * id; one Stripe still does not have is ended in recur (no one pays for it, so it entitles no
 * one), audited and alerted once. The row stays, for a person to look at; rows ended so by an
 * earlier run are passed by.
 */
async function reportMissingAtProvider(scope: RunScope, listed: ReadonlySet<string>): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const batch = await listStoredProviderSubscriptionIds(scope.ctx.db, { provider: scope.provider.id, before: scope.startedAt, after, limit: STORED_BATCH });
    for (const row of batch) {
      if (listed.has(row.providerSubscriptionId) || row.providerStatus === MISSING_AT_PROVIDER_STATUS) continue;
      if (await scope.gateway.retrieveSubscription(row.providerSubscriptionId)) continue;
      await endMissingSubscription(scope, row);
    }
    if (batch.length < STORED_BATCH) return;
    after = batch.at(-1)!.providerSubscriptionId;
  }
}
