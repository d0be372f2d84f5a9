import { z } from 'zod';
import { reviewDeclinedCharges } from '../services/risk/review-declined-charges.ts';
import { REVIEW_DECLINED_CHARGES } from '../services/risk/risk-jobs.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { defineJob } from './job-definition.ts';

/**
 * Queued by a charge.failed with `card_declined`, in the event's transaction; stately per customer
 * (singleton key = customer id), so a burst of declines runs the review once or twice, not N times.
 * A failure retries, and the review continues where it stopped (each step is recorded once).
 */
export const reviewDeclinedChargesJob = (ctx: ServiceContext) =>
  defineJob({
    name: REVIEW_DECLINED_CHARGES,
    description: "Counts a customer's declined charges at Stripe; at the threshold bans, cancels, refunds and alerts (FRAUD_*)",
    payload: z.object({ customerId: z.string().uuid() }),
    policy: 'stately',
    retryLimit: 8,
    retryDelaySeconds: 30,
    expireInSeconds: 10 * 60,
    handle: async ({ customerId }) => {
      await reviewDeclinedCharges(ctx, customerId);
    },
  });
