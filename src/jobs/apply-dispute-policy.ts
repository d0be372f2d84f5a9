import { z } from 'zod';
import { applyDisputePolicy } from '../services/risk/apply-dispute-policy.ts';
import { APPLY_DISPUTE_POLICY } from '../services/risk/risk-jobs.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { defineJob } from './job-definition.ts';

const RETRY_LIMIT = 6;

/** Queued by charge.dispute.created in the event's transaction; applies DISPUTE_POLICY once per dispute. */
export const applyDisputePolicyJob = (ctx: ServiceContext) =>
  defineJob({
    name: APPLY_DISPUTE_POLICY,
    description: 'Accepts or holds a new dispute (DISPUTE_POLICY), cancels the subscription it paid for, marks the customer, alerts admins',
    payload: z.object({ disputeId: z.string().uuid() }),
    policy: 'stately',
    retryLimit: RETRY_LIMIT,
    retryDelaySeconds: 30,
    expireInSeconds: 10 * 60,
    handle: async ({ disputeId }, { attempt }) => {
      await applyDisputePolicy(ctx, disputeId, { lastAttempt: attempt > RETRY_LIMIT });
    },
  });
