import { afterCycle, afterDays } from './calendar.ts';
import { money } from './money.ts';
import { recordPayment, saleObject } from './payment-objects.ts';
import type { StoredPlan, StoredSubscription } from './paypal-state.ts';
import { findPlan, regularCycle, trialCycle } from './plan-routes.ts';
import { isoSeconds, type PaypalRuntime } from './runtime.ts';
import { subscriptionObject } from './subscription-object.ts';
import { chargeGoesThrough } from './test-payers.ts';
import { emitEvent } from './webhook-events.ts';

/** PayPal retries a failed subscription payment five days later, at most twice for one balance. */
export const RETRY_AFTER_DAYS = 5;
export const MAX_RETRIES = 2;

function touch(rt: PaypalRuntime, subscription: StoredSubscription, status?: StoredSubscription['status']): void {
  subscription.update_time = rt.nowIso();
  if (status && status !== subscription.status) {
    subscription.status = status;
    subscription.status_update_time = subscription.update_time;
  }
}

export function subscriptionEvent(rt: PaypalRuntime, subscription: StoredSubscription, type: string, summary: string): void {
  emitEvent(rt, type, 'subscription', subscriptionObject(rt, subscription), summary);
}

/** One charge of a subscription; true when it went through. */
function charge(rt: PaypalRuntime, subscription: StoredSubscription, plan: StoredPlan, amount: number, scheduled: boolean): boolean {
  const payer = subscription.payer ?? '';
  const paid = chargeGoesThrough(payer, { scheduled, fundingFixed: subscription.funding_fixed });
  if (!paid) return false;
  const sale = recordPayment(rt, { kind: 'sale', status: 'COMPLETED', amount, currency: plan.currency, payer, subscription_id: subscription.id, ...(subscription.custom_id ? { custom_id: subscription.custom_id } : {}) });
  subscription.last_payment = { amount, time: rt.nowIso() };
  touch(rt, subscription);
  emitEvent(rt, 'PAYMENT.SALE.COMPLETED', 'sale', saleObject(rt, sale), `Payment completed for ${money(amount, plan.currency).value} ${plan.currency}`);
  return true;
}

/** A failed payment: counted, announced, retried in five days or, at the plan's threshold, the subscription suspended. */
function fail(rt: PaypalRuntime, subscription: StoredSubscription, plan: StoredPlan, amount: number): void {
  // PayPal lists a declined attempt among the subscription's transactions (status DECLINED): the
  // only record of when a failure incident began, as last_failed_payment moves with each retry.
  recordPayment(rt, { kind: 'sale', status: 'DECLINED', amount, currency: plan.currency, payer: subscription.payer ?? '', subscription_id: subscription.id, ...(subscription.custom_id ? { custom_id: subscription.custom_id } : {}) });
  subscription.failed_payments_count += 1;
  subscription.last_failed_payment = { amount, time: rt.nowIso() };
  touch(rt, subscription);
  const threshold = plan.payment_failure_threshold;
  if (threshold > 0 && subscription.failed_payments_count >= threshold) {
    subscription.retry_at = null;
    subscriptionEvent(rt, subscription, 'BILLING.SUBSCRIPTION.PAYMENT.FAILED', `Subscription payment failed for ${subscription.id}`);
    suspend(rt, subscription, 'Suspended after the payment failure threshold was reached');
    return;
  }
  if (subscription.retries < MAX_RETRIES) {
    subscription.retries += 1;
    subscription.retry_at = isoSeconds(afterDays(rt.now(), RETRY_AFTER_DAYS));
  } else {
    subscription.retry_at = null;
  }
  subscriptionEvent(rt, subscription, 'BILLING.SUBSCRIPTION.PAYMENT.FAILED', `Subscription payment failed for ${subscription.id}`);
}

export function suspend(rt: PaypalRuntime, subscription: StoredSubscription, note: string): void {
  subscription.status_change_note = note;
  touch(rt, subscription, 'SUSPENDED');
  subscriptionEvent(rt, subscription, 'BILLING.SUBSCRIPTION.SUSPENDED', `Subscription ${subscription.id} suspended`);
}

/** Created with a start_time still ahead: approval charges nothing, the first cycle runs at start_time. */
export function startsLater(rt: PaypalRuntime, subscription: StoredSubscription): boolean {
  return subscription.deferred_start === true && Date.parse(subscription.start_time) > rt.now().getTime();
}

/**
 * The payer agreed on the approval page: ACTIVE, in the trial cycle when the plan has one (first
 * charge at its end), at a later start_time without any charge until then (the first regular
 * cycle is billed at start_time), else charged the first regular cycle at once. False (nothing changed) when
 * that first charge is declined, as PayPal then does not activate the subscription.
 */
export function activateApproved(rt: PaypalRuntime, subscription: StoredSubscription, payer: string, payerId: string, name: { given_name: string; surname: string }): boolean {
  const plan = findPlan(rt, subscription.plan_id);
  const trial = trialCycle(plan);
  const regular = regularCycle(plan);
  const later = startsLater(rt, subscription);
  if (!trial && !later && !chargeGoesThrough(payer, { scheduled: false, fundingFixed: subscription.funding_fixed })) return false;
  subscription.payer = payer;
  subscription.subscriber = { ...subscription.subscriber, email_address: payer, payer_id: payerId, name: subscription.subscriber.name ?? name };
  if (!later) subscription.start_time = rt.nowIso();
  touch(rt, subscription, 'ACTIVE');
  subscriptionEvent(rt, subscription, 'BILLING.SUBSCRIPTION.ACTIVATED', `Subscription ${subscription.id} activated`);
  if (later) {
    // PayPal bills the first cycle at start_time: nothing is charged before it.
    subscription.next_cycle_at = subscription.start_time;
  } else if (trial) {
    subscription.cycles.TRIAL = trial.total_cycles;
    let end = rt.now();
    for (let cycle = 0; cycle < trial.total_cycles; cycle++) end = afterCycle(end, trial.frequency);
    subscription.next_cycle_at = isoSeconds(end);
  } else {
    charge(rt, subscription, plan, regular.price ?? 0, false);
    subscription.cycles.REGULAR = 1;
    subscription.next_cycle_at = isoSeconds(afterCycle(rt.now(), regular.frequency));
  }
  return true;
}

/** The earliest moment a subscription has work, or null. */
export function subscriptionDueAt(subscription: StoredSubscription): number | null {
  if (subscription.status !== 'ACTIVE') return null;
  const moments = [subscription.retry_at, subscription.next_cycle_at].filter((moment): moment is string => moment !== null).map((moment) => Date.parse(moment));
  return moments.length === 0 ? null : Math.min(...moments);
}

/** Does what is due for one subscription at `now`: a retry, or the next cycle (a revision first). */
export function runSubscriptionDue(rt: PaypalRuntime, subscription: StoredSubscription, now: Date): void {
  if (subscription.status !== 'ACTIVE') return;
  if (subscription.retry_at && Date.parse(subscription.retry_at) <= now.getTime()) {
    subscription.retry_at = null;
    const plan = findPlan(rt, subscription.plan_id);
    if (charge(rt, subscription, plan, subscription.outstanding, true)) settle(subscription);
    else fail(rt, subscription, plan, subscription.outstanding);
    return;
  }
  if (!subscription.next_cycle_at || Date.parse(subscription.next_cycle_at) > now.getTime()) return;
  if (subscription.pending_plan_id) {
    subscription.plan_id = subscription.pending_plan_id;
    subscription.pending_plan_id = null;
    touch(rt, subscription);
    subscriptionEvent(rt, subscription, 'BILLING.SUBSCRIPTION.UPDATED', `Subscription ${subscription.id} updated`);
  }
  const plan = findPlan(rt, subscription.plan_id);
  const regular = regularCycle(plan);
  if (regular.total_cycles > 0 && subscription.cycles.REGULAR >= regular.total_cycles) {
    subscription.next_cycle_at = null;
    touch(rt, subscription, 'EXPIRED');
    subscriptionEvent(rt, subscription, 'BILLING.SUBSCRIPTION.EXPIRED', `Subscription ${subscription.id} expired`);
    return;
  }
  const price = regular.price ?? 0;
  subscription.next_cycle_at = isoSeconds(afterCycle(new Date(subscription.next_cycle_at), regular.frequency));
  subscription.cycles.REGULAR += 1;
  if (charge(rt, subscription, plan, price, true)) return;
  subscription.outstanding += price;
  subscription.retries = 0;
  fail(rt, subscription, plan, price);
}

function settle(subscription: StoredSubscription): void {
  subscription.outstanding = 0;
  subscription.failed_payments_count = 0;
  subscription.retries = 0;
}

/**
 * POST .../activate on a suspended subscription: ACTIVE again; an outstanding balance is charged at
 * once (the plan's `auto_bill_outstanding`), and a cycle missed while suspended starts from now.
 */
export function reactivate(rt: PaypalRuntime, subscription: StoredSubscription, note: string | undefined): void {
  const plan = findPlan(rt, subscription.plan_id);
  subscription.status_change_note = note;
  touch(rt, subscription, 'ACTIVE');
  if (subscription.next_cycle_at && Date.parse(subscription.next_cycle_at) <= rt.now().getTime()) subscription.next_cycle_at = isoSeconds(afterCycle(rt.now(), regularCycle(plan).frequency));
  subscriptionEvent(rt, subscription, 'BILLING.SUBSCRIPTION.ACTIVATED', `Subscription ${subscription.id} activated`);
  if (subscription.outstanding > 0 && plan.auto_bill_outstanding) {
    if (charge(rt, subscription, plan, subscription.outstanding, true)) settle(subscription);
    else subscription.retry_at = isoSeconds(afterDays(rt.now(), RETRY_AFTER_DAYS));
  }
}
