/** Names of the jobs that carry out fraud and dispute policies (defined in src/jobs/). */
export const REVIEW_DECLINED_CHARGES = 'review-declined-charges';
export const APPLY_DISPUTE_POLICY = 'apply-dispute-policy';

/** The Stripe failure code the fraud rule counts. */
export const DECLINED_FAILURE_CODE = 'card_declined';
