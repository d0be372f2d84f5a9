import type { Queryable } from '../../db/database.ts';
import type { ProviderId } from '../../domain/provider.ts';
import { requirePaymentProvider } from '../require-payment-provider.ts';
import type { JobQueue, ServiceContext } from '../service-context.ts';

/** The job that asks the provider to keep the card a customer pays an open invoice with (src/jobs/keep-card-that-pays.ts). */
export const KEEP_CARD_THAT_PAYS = 'keep-card-that-pays';

/**
 * Queued in the transaction that records a completed checkout's subscription, once per
 * subscription (stately, keyed by it). A Checkout Session cannot set which card later renewals use
 * after the customer pays a held invoice with another one (ADR 0042), so the subscription is
 * told right after it exists.
 */
export async function queueKeepCardThatPays(tx: Queryable, jobs: JobQueue | undefined, provider: ProviderId, providerSubscriptionId: string): Promise<void> {
  await jobs?.enqueue(KEEP_CARD_THAT_PAYS, { provider, providerSubscriptionId }, { tx, singletonKey: `${provider}:${providerSubscriptionId}` });
}

/** The job's work: the provider's own idempotent call; a provider without the choice has nothing to do. */
export async function keepCardThatPays(ctx: Pick<ServiceContext, 'payments'>, provider: ProviderId, providerSubscriptionId: string): Promise<void> {
  await requirePaymentProvider(ctx, provider).gateway.keepCardThatPays?.(providerSubscriptionId);
}
