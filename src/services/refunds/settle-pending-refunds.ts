import { findListedPayment } from '../../db/repositories/payment-repository.ts';
import { listPendingRefunds } from '../../db/repositories/refund-repository.ts';
import { requirePaymentProvider } from '../require-payment-provider.ts';
import type { ServiceContext } from '../service-context.ts';
import { askProvider, recordAnswer } from './refund-payment.ts';

const ACTOR = 'job:settle-pending-refunds';
/** A refund younger than this may still be in its own request's hands. */
const SETTLE_AFTER_MS = 60_000;
const BATCH = 100;

/**
 * Refunds left pending: the provider said it had not finished (read again by its refund id), or
 * recur never heard its answer (a process that died, a provider that failed: asked again with the
 * row's idempotency key, so the provider answers with the refund it made or makes it now, once).
 */
export async function settlePendingRefunds(ctx: ServiceContext): Promise<{ asked: number; failed: number }> {
  const pending = await listPendingRefunds(ctx.db, new Date(ctx.clock.now().getTime() - SETTLE_AFTER_MS), BATCH);
  let failed = 0;
  for (const refund of pending) {
    const payment = await findListedPayment(ctx.db, refund.paymentId);
    if (!payment) continue;
    try {
      if (refund.providerRefundId) {
        const provider = requirePaymentProvider(ctx, refund.provider);
        const answer = await provider.gateway.retrieveRefund(refund.providerRefundId);
        if (answer) await recordAnswer(ctx, provider, refund, payment, answer, ACTOR);
      } else {
        await askProvider(ctx, refund, payment, ACTOR);
      }
    } catch {
      // Still pending (or refused: then marked failed); the next run tries the rest again.
      failed += 1;
    }
  }
  return { asked: pending.length, failed };
}
