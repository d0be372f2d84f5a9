import type { Queryable } from '../db/database.ts';
import { parseInt8 } from '../db/database.ts';
import { findSubscription } from '../db/repositories/subscription-repository.ts';
import type { Plan } from '../domain/plan.ts';
import type { ProviderId } from '../domain/provider.ts';
import { enqueueCustomerNotice } from './enqueue-customer-notice.ts';

export type PaymentActionRequest = {
  provider: ProviderId;
  providerPaymentId: string;
  /** Where the customer completes the payment (Stripe's hosted invoice page): a bearer link, never logged. */
  url: string;
  plans: readonly Plan[];
  now: Date;
};

/**
 * The customer's notice that a renewal waits for strong authentication, in the transaction that
 * recorded the payment: e-mail, and SMS with consent. Once per payment (one per invoice: a retried
 * invoice keeps its PaymentIntent), however many events or retries report it; not for a payment
 * that is no longer waiting (paid or failed meanwhile) or that pays no subscription.
 */
export async function notifyPaymentActionRequired(tx: Queryable, request: PaymentActionRequest): Promise<boolean> {
  const stored = await tx.query<{ id: string; subscription_id: string | null; status: string; amount_minor: string | number }>(
    'SELECT id, subscription_id, status, amount_minor FROM payments WHERE provider = $1 AND provider_payment_id = $2',
    [request.provider, request.providerPaymentId],
  );
  const payment = stored.rows[0];
  if (!payment?.subscription_id || payment.status !== 'pending') return false;
  const subscription = await findSubscription(tx, payment.subscription_id);
  if (!subscription) return false;
  const amountDue = typeof payment.amount_minor === 'number' ? payment.amount_minor : parseInt8(payment.amount_minor);
  const outcome = await enqueueCustomerNotice(tx, {
    template: 'payment-action-required',
    businessKey: `payment-action-required:${payment.id}`,
    subscription,
    plans: request.plans,
    details: { payment_id: payment.id, amount_due_minor: amountDue, action_url: request.url },
    now: request.now,
  });
  return outcome.outcome === 'enqueued' && outcome.written > 0;
}
