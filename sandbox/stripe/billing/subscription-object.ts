import type Stripe from 'stripe';
import { newId } from '../state/ids.ts';
import { stripeErrors } from '../wire/stripe-error.ts';
import { asInterval, type Interval } from './calendar.ts';

export function cancellationDetails(
  reason: Stripe.Subscription.CancellationDetails.Reason | null,
  comment: string | null = null,
  feedback: Stripe.Subscription.CancellationDetails.Feedback | null = null,
): Stripe.Subscription.CancellationDetails {
  return { comment, feedback, feedback_option: null, reason };
}

/** The legacy Plan view of a recurring price, still embedded in subscription items. */
export function planOf(price: Stripe.Price): Stripe.Plan {
  const recurring = price.recurring!;
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: recurring.interval,
    interval_count: recurring.interval_count,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product as string,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: recurring.trial_period_days,
    usage_type: recurring.usage_type,
  } as Stripe.Plan;
}

export function requireRecurring(price: Stripe.Price, param: string): Stripe.Price & { recurring: Stripe.Price.Recurring } {
  if (!price.recurring) {
    throw stripeErrors.invalidRequest(`The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`, param);
  }
  return price as Stripe.Price & { recurring: Stripe.Price.Recurring };
}

export function buildItem(subscriptionId: string, price: Stripe.Price, quantity: number, period: { start: number; end: number }, created: number, metadata: Record<string, string> = {}): Stripe.SubscriptionItem {
  // Stripe's sample item (fixtures3.json) has no current_trial; the sandbox follows the sample.
  const item: Omit<Stripe.SubscriptionItem, 'current_trial'> = {
    id: newId('si', 14),
    object: 'subscription_item',
    billing_thresholds: null,
    created,
    current_period_end: period.end,
    current_period_start: period.start,
    discounts: [],
    metadata,
    plan: planOf(price),
    price: structuredClone(price),
    quantity,
    subscription: subscriptionId,
    tax_rates: [],
  };
  return item as Stripe.SubscriptionItem;
}

/** Since API version basil the period lives on each item; every item shares it here. */
export function periodOf(subscription: Stripe.Subscription): { start: number; end: number } {
  const item = subscription.items.data[0]!;
  return { start: item.current_period_start, end: item.current_period_end };
}

export function setPeriod(subscription: Stripe.Subscription, start: number, end: number): void {
  for (const item of subscription.items.data) {
    item.current_period_start = start;
    item.current_period_end = end;
  }
}

export function cycleOf(subscription: Stripe.Subscription): { interval: Interval; count: number } {
  const recurring = subscription.items.data[0]!.price.recurring!;
  return { interval: asInterval(recurring.interval), count: recurring.interval_count };
}

export function amountPerPeriod(subscription: Stripe.Subscription): number {
  return subscription.items.data.reduce((sum, item) => sum + (item.price.unit_amount ?? 0) * (item.quantity ?? 1), 0);
}

export type SubscriptionShell = {
  id: string;
  customer: Stripe.Customer;
  currency: string;
  created: number;
  status: Stripe.Subscription.Status;
  anchor: number;
  trialStart: number | null;
  trialEnd: number | null;
  collectionMethod: Stripe.Subscription.CollectionMethod;
  daysUntilDue: number | null;
  defaultPaymentMethod: string | null;
  description: string | null;
  metadata: Record<string, string>;
  missingPaymentMethod: Stripe.Subscription.TrialSettings.EndBehavior.MissingPaymentMethod;
  items: Stripe.SubscriptionItem[];
};

/** A subscription shaped like fixtures3.json's sample. */
export function buildSubscription(shell: SubscriptionShell): Stripe.Subscription {
  return {
    id: shell.id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: shell.anchor,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic' },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: cancellationDetails(null),
    collection_method: shell.collectionMethod,
    created: shell.created,
    currency: shell.currency,
    customer: shell.customer.id,
    customer_account: null,
    days_until_due: shell.daysUntilDue,
    default_payment_method: shell.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: shell.description,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: 'self' } },
    items: { object: 'list', data: shell.items, has_more: false, url: `/v1/subscription_items?subscription=${shell.id}` },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: shell.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: shell.created,
    status: shell.status,
    test_clock: typeof shell.customer.test_clock === 'string' ? shell.customer.test_clock : null,
    transfer_data: null,
    trial_end: shell.trialEnd,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: shell.missingPaymentMethod } },
    trial_start: shell.trialStart,
  } as Stripe.Subscription;
}
