import type { ServiceContext } from '../services/service-context.ts';
import type { JobDefinition } from './job-definition.ts';
import { processWebhookInboxJob } from './process-webhook-inbox.ts';
import { releaseExpiredInboxClaimsJob } from './release-expired-inbox-claims.ts';

/** Every scheduled and queued job recur runs. New jobs are added here and nowhere else. */
export function buildJobCatalogue(ctx: ServiceContext): JobDefinition[] {
  return [releaseExpiredInboxClaimsJob(ctx), processWebhookInboxJob(ctx)] as JobDefinition[];
}
