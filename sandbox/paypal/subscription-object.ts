import { money } from './money.ts';
import type { StoredSubscription } from './paypal-state.ts';
import { findPlan, regularCycle, trialCycle } from './plan-routes.ts';
import type { PaypalRuntime } from './runtime.ts';

/** The moment the subscription is next charged: a retry if one is pending, else the next cycle. */
export function nextBillingTime(subscription: StoredSubscription): string | null {
  if (subscription.status !== 'ACTIVE') return null;
  return subscription.retry_at ?? subscription.next_cycle_at;
}

/** Subscriptions v1 as PayPal answers GET /v1/billing/subscriptions/{id}. */
export function subscriptionObject(rt: PaypalRuntime, subscription: StoredSubscription): Record<string, unknown> {
  const plan = findPlan(rt, subscription.plan_id);
  const trial = trialCycle(plan);
  const regular = regularCycle(plan);
  const base = `${rt.apiBase()}/v1/billing/subscriptions/${subscription.id}`;
  const links =
    subscription.status === 'APPROVAL_PENDING'
      ? [
          { href: `${rt.sandbox.baseUrl()}/paypal/webapps/billing/subscriptions?ba_token=${subscription.ba_token}`, rel: 'approve', method: 'GET' },
          { href: base, rel: 'edit', method: 'PATCH' },
          { href: base, rel: 'self', method: 'GET' },
        ]
      : [
          { href: `${base}/cancel`, rel: 'cancel', method: 'POST' },
          { href: base, rel: 'edit', method: 'PATCH' },
          { href: base, rel: 'self', method: 'GET' },
          { href: `${base}/suspend`, rel: 'suspend', method: 'POST' },
        ];
  const approved = subscription.status !== 'APPROVAL_PENDING';
  const next = nextBillingTime(subscription);
  const cycleExecutions = [
    ...(trial ? [{ tenure_type: 'TRIAL', sequence: trial.sequence, cycles_completed: subscription.cycles.TRIAL, cycles_remaining: Math.max(trial.total_cycles - subscription.cycles.TRIAL, 0), current_pricing_scheme_version: 1, total_cycles: trial.total_cycles }] : []),
    {
      tenure_type: 'REGULAR',
      sequence: regular.sequence,
      cycles_completed: subscription.cycles.REGULAR,
      cycles_remaining: regular.total_cycles === 0 ? 0 : Math.max(regular.total_cycles - subscription.cycles.REGULAR, 0),
      current_pricing_scheme_version: 1,
      total_cycles: regular.total_cycles,
    },
  ];
  return {
    id: subscription.id,
    plan_id: subscription.plan_id,
    status: subscription.status,
    ...(subscription.status_change_note ? { status_change_note: subscription.status_change_note } : {}),
    status_update_time: subscription.status_update_time,
    start_time: subscription.start_time,
    quantity: '1',
    shipping_amount: money(0, plan.currency),
    ...(subscription.custom_id ? { custom_id: subscription.custom_id } : {}),
    plan_overridden: false,
    subscriber: {
      ...(subscription.subscriber.email_address ? { email_address: subscription.subscriber.email_address } : {}),
      ...(subscription.subscriber.payer_id ? { payer_id: subscription.subscriber.payer_id } : {}),
      ...(subscription.subscriber.name ? { name: subscription.subscriber.name } : {}),
    },
    ...(approved
      ? {
          billing_info: {
            outstanding_balance: money(subscription.outstanding, plan.currency),
            cycle_executions: cycleExecutions,
            ...(subscription.last_payment ? { last_payment: { amount: money(subscription.last_payment.amount, plan.currency), time: subscription.last_payment.time } } : {}),
            ...(next ? { next_billing_time: next } : {}),
            ...(subscription.last_failed_payment
              ? { last_failed_payment: { amount: money(subscription.last_failed_payment.amount, plan.currency), time: subscription.last_failed_payment.time, reason_code: 'PAYER_CANNOT_PAY' } }
              : {}),
            failed_payments_count: subscription.failed_payments_count,
          },
        }
      : {}),
    create_time: subscription.create_time,
    update_time: subscription.update_time,
    links,
  };
}
