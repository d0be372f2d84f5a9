import { PROVIDERS_WITH_ADAPTERS } from '../domain/provider.ts';
import type { ServiceContext } from '../services/service-context.ts';
import type { JobDefinition } from './job-definition.ts';
import { processWebhookInboxJob } from './process-webhook-inbox.ts';
import { reconcileProviderJob } from './reconcile-provider.ts';
import { releaseExpiredInboxClaimsJob } from './release-expired-inbox-claims.ts';
import { applyDisputePolicyJob } from './apply-dispute-policy.ts';
import { reviewDeclinedChargesJob } from './review-declined-charges.ts';
import { deliverNotificationsJob } from './deliver-notifications.ts';
import { deliverWebhooksJob } from './deliver-webhooks.ts';
import { scheduleNoticesJob } from './schedule-notices.ts';
import { endLapsedSubscriptionsJob } from './end-lapsed-subscriptions.ts';
import { cancelScheduledSubscriptionsJob } from './cancel-scheduled-subscriptions.ts';
import { deleteExpiredIdempotencyKeysJob } from './delete-expired-idempotency-keys.ts';
import { deleteEndedPortalSessionsJob } from './delete-ended-portal-sessions.ts';
import { deleteOldWebhookDeliveriesJob } from './delete-old-webhook-deliveries.ts';
import { recordLapsedEntitlementsJob } from './record-lapsed-entitlements.ts';
import { settlePendingRefundsJob } from './settle-pending-refunds.ts';
import { keepCardThatPaysJob } from './keep-card-that-pays.ts';

/** Every scheduled and queued job recur runs. New jobs are added here and nowhere else. */
export function buildJobCatalogue(ctx: ServiceContext): JobDefinition[] {
  return [
    releaseExpiredInboxClaimsJob(ctx),
    processWebhookInboxJob(ctx),
    ...PROVIDERS_WITH_ADAPTERS.map((provider) => reconcileProviderJob(ctx, provider)),
    reviewDeclinedChargesJob(ctx),
    applyDisputePolicyJob(ctx),
    scheduleNoticesJob(ctx),
    endLapsedSubscriptionsJob(ctx),
    cancelScheduledSubscriptionsJob(ctx),
    recordLapsedEntitlementsJob(ctx),
    deliverNotificationsJob(ctx),
    deleteExpiredIdempotencyKeysJob(ctx),
    deleteEndedPortalSessionsJob(ctx),
    deliverWebhooksJob(ctx),
    deleteOldWebhookDeliveriesJob(ctx),
    settlePendingRefundsJob(ctx),
    keepCardThatPaysJob(ctx),
  ] as JobDefinition[];
}
