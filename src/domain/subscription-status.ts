import type { ProviderId } from './provider.ts';

/** recur's own statuses. Every provider status maps onto exactly one of these. */
export const SUBSCRIPTION_STATUSES = ['trialing', 'active', 'past_due', 'paused', 'canceled', 'incomplete'] as const;

export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export type StripeSubscriptionStatus =
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'unpaid'
  | 'canceled'
  | 'incomplete'
  | 'incomplete_expired'
  | 'paused';

/** PayPal's own subscription statuses. */
export type PaypalStatusWord = 'APPROVAL_PENDING' | 'APPROVED' | 'ACTIVE' | 'SUSPENDED' | 'CANCELLED' | 'EXPIRED';

/**
 * PayPal's status word, refined by the subscription's billing_info where the word alone hides what
 * recur must know: PayPal says ACTIVE inside a trial cycle and while renewal payments are failing,
 * and SUSPENDED both when the merchant paused it and when failed payments reached the plan's
 * threshold. `<WORD>:<refinement>` cannot clash with a word PayPal may add (PayPal's words have no
 * colon); the adapter derives it with `paypalStatusWord` and it is what recur stores as the
 * provider status.
 */
export type PaypalSubscriptionStatus = PaypalStatusWord | 'ACTIVE:TRIAL' | 'ACTIVE:BEFORE_START' | 'ACTIVE:PAYMENT_FAILED' | 'SUSPENDED:PAYMENT_FAILED';

/**
 * The refined word of a PayPal subscription. `inTrialCycle`: a TRIAL cycle is still running
 * (billing_info.cycle_executions); `paymentsFailing`: failed payments are outstanding
 * (billing_info.failed_payments_count above zero; PayPal resets it once the balance is paid);
 * `beforeStart`: created with a later start_time and not billed yet (auto-renew after prepaid time).
 */
export function paypalStatusWord(status: string, facts: { inTrialCycle: boolean; paymentsFailing: boolean; beforeStart?: boolean }): string {
  if (status === 'ACTIVE' && facts.paymentsFailing) return 'ACTIVE:PAYMENT_FAILED';
  if (status === 'ACTIVE' && facts.inTrialCycle) return 'ACTIVE:TRIAL';
  if (status === 'ACTIVE' && facts.beforeStart) return 'ACTIVE:BEFORE_START';
  if (status === 'SUSPENDED' && facts.paymentsFailing) return 'SUSPENDED:PAYMENT_FAILED';
  return status;
}

// `satisfies Record<...>` makes a status added to either union a compile error until it is mapped.
const STRIPE_STATUSES = {
  trialing: 'trialing',
  active: 'active',
  past_due: 'past_due',
  // Stripe marks a subscription unpaid once its retries are exhausted but keeps the invoice open,
  // so it can still be paid and become active again: not terminal. Entitlement ends with the
  // past-due grace (counted from pastDueSince), which has run out by then in any sane setup.
  unpaid: 'past_due',
  canceled: 'canceled',
  incomplete: 'incomplete',
  // The first payment never succeeded within Stripe's 23 hours; Stripe never revives it.
  incomplete_expired: 'canceled',
  paused: 'paused',
} as const satisfies Record<StripeSubscriptionStatus, SubscriptionStatus>;

const PAYPAL_STATUSES = {
  APPROVAL_PENDING: 'incomplete',
  // The buyer approved but PayPal has not activated or charged anything yet.
  APPROVED: 'incomplete',
  ACTIVE: 'active',
  // PayPal says ACTIVE during a plan's trial cycles too (see paypalStatusWord).
  'ACTIVE:TRIAL': 'trialing',
  // Approved with a later start_time (auto-renew after prepaid time): nothing billed before it, as
  // Stripe's trial until the paid date; no free cycle (the plan's twin without trial), the first
  // charge at start_time. Entitlement gives the running prepaid time first (ADR 0026).
  'ACTIVE:BEFORE_START': 'trialing',
  // A renewal failed and PayPal is retrying: past due, the grace counted from the first failure.
  'ACTIVE:PAYMENT_FAILED': 'past_due',
  // Suspended by the merchant (or recur): PayPal can reactivate it, so it is not terminal, and
  // nobody is entitled meanwhile.
  SUSPENDED: 'paused',
  // Suspended because failed payments reached the plan's payment_failure_threshold: still past
  // due (the same unpaid balance, the grace still counted from its first failure) until the
  // merchant reactivates it (paid: active) or cancels it. PayPal never cancels it by itself.
  'SUSPENDED:PAYMENT_FAILED': 'past_due',
  CANCELLED: 'canceled',
  // All billing cycles are done; PayPal never renews an expired subscription.
  EXPIRED: 'canceled',
} as const satisfies Record<PaypalSubscriptionStatus, SubscriptionStatus>;

// A Map, not an object lookup, so that raw values like "constructor" cannot hit the prototype.
const STATUS_MAPS: Record<ProviderId, ReadonlyMap<string, SubscriptionStatus>> = {
  stripe: new Map(Object.entries(STRIPE_STATUSES)),
  paypal: new Map(Object.entries(PAYPAL_STATUSES)),
};

export type MapStatusResult =
  | { ok: true; status: SubscriptionStatus }
  | { ok: false; reason: 'unknown_status'; provider: ProviderId; raw: string };

/** Exact match: providers document their casing, so "Active" from Stripe is a bug worth seeing. */
export function mapProviderStatus(provider: ProviderId, raw: string): MapStatusResult {
  const status = STATUS_MAPS[provider].get(raw);
  if (status === undefined) return { ok: false, reason: 'unknown_status', provider, raw };
  return { ok: true, status };
}

/**
 * Which normalized status may follow which, as the providers actually move subscriptions.
 * canceled is terminal: Stripe and PayPal both require a new subscription to come back.
 */
const LEGAL_TRANSITIONS: Record<SubscriptionStatus, readonly SubscriptionStatus[]> = {
  // Stripe: first payment succeeds (active) or expires (canceled); a PayPal subscription with a
  // trial goes from APPROVED straight into its trial.
  incomplete: ['trialing', 'active', 'canceled'],
  // Trial ends paid (active), unpaid (past_due), or without a payment method (paused).
  trialing: ['active', 'past_due', 'paused', 'canceled'],
  // active -> trialing: Stripe allows setting trial_end on a running subscription.
  active: ['trialing', 'past_due', 'paused', 'canceled'],
  past_due: ['active', 'paused', 'canceled'],
  // A resumed subscription is charged at once, and that charge can fail.
  paused: ['active', 'past_due', 'canceled'],
  canceled: [],
};

export type TransitionCheck =
  | { ok: true; change: 'none' | 'changed' }
  | { ok: false; reason: 'terminal' | 'not_allowed'; from: SubscriptionStatus; to: SubscriptionStatus };

/**
 * The same status again is a no-op, not an error: webhooks are delivered at least once and a
 * reconciliation run re-reads statuses that have not moved.
 */
export function checkTransition(from: SubscriptionStatus, to: SubscriptionStatus): TransitionCheck {
  if (from === to) return { ok: true, change: 'none' };
  if (LEGAL_TRANSITIONS[from].includes(to)) return { ok: true, change: 'changed' };
  return { ok: false, reason: from === 'canceled' ? 'terminal' : 'not_allowed', from, to };
}

/**
 * Provider statuses in which the provider has stopped collecting and will never end the
 * subscription by itself: PayPal keeps a subscription suspended for failed payments for ever
 * (Stripe, by contrast, cancels after its last retry). recur ends these once its dunning sequence
 * has run its course.
 */
export const LAPSED_PROVIDER_STATUSES: readonly string[] = ['SUSPENDED:PAYMENT_FAILED' satisfies PaypalSubscriptionStatus];

/**
 * The provider statuses that mean the provider has ended the subscription (every word mapped to
 * `canceled`). recur may still show such a subscription running until the end of its paid period
 * (its own cancel at period end, scheduled-cancel.ts); the stored provider status says the provider's truth.
 */
export const ENDED_PROVIDER_STATUSES: readonly string[] = [...Object.values(STATUS_MAPS)].flatMap((map) => [...map].filter(([, status]) => status === 'canceled').map(([raw]) => raw));

/** Whether the provider has ended the subscription, whatever recur shows of it meanwhile. */
export function isEndedAtProvider(provider: ProviderId, providerStatus: string): boolean {
  const mapped = mapProviderStatus(provider, providerStatus);
  return mapped.ok && mapped.status === 'canceled';
}
