import type { RefundStatus } from '../../db/repositories/refund-repository.ts';
import type { ProviderRefund } from '../../providers/payments/risk-operations.ts';

/** recur's status of a provider's refund: the money went back, did not (failed, canceled), or not yet. */
export const refundStatusOf = (refund: ProviderRefund): RefundStatus =>
  refund.completed ? 'succeeded' : /^(failed|canceled|cancelled)$/i.test(refund.status) ? 'failed' : 'pending';
