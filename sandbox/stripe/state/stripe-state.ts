import type Stripe from 'stripe';
import type { SandboxClock } from '../../core/sandbox-clock.ts';
import { Collection } from './collection.ts';
import type { Timer, TimerArgs, TimerKind } from './timers.ts';

/** The fixture still shows the pre-basil `subscription` beside `parent.subscription_details`. */
/** Since API version basil an invoice names its subscription only in `parent.subscription_details`. */
export type StoredInvoice = Stripe.Invoice;

/** The id of the subscription an invoice bills, or null for a one-off invoice. */
export function subscriptionIdOf(invoice: Stripe.Invoice): string | null {
  const subscription = invoice.parent?.subscription_details?.subscription ?? null;
  return typeof subscription === 'string' ? subscription : (subscription?.id ?? null);
}

export type StoredEvent = Omit<Stripe.EventBase, 'type' | 'data' | 'request'> & {
  type: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  request: { id: string | null; idempotency_key: string | null };
};

export type StoredWebhookEndpoint = Stripe.WebhookEndpoint & { secret: string };

/** What a checkout session needs to complete that Stripe does not show on the session object. */
export type CheckoutPlan = {
  lineItems: Stripe.LineItem[];
  subscriptionData: { trialPeriodDays?: number; trialEnd?: number; metadata: Record<string, string>; description?: string };
  paymentIntentData: { metadata: Record<string, string>; captureMethod?: 'automatic' | 'manual'; setupFutureUsage?: string; shipping?: unknown; description?: string };
};

/** Per-subscription bookkeeping of notices already sent, so each goes out once. */
export type SubscriptionNotices = { trialWillEndFor: number | null; upcomingFor: number | null };

/** Everything the Stripe emulator remembers. One instance per sandbox; `reset` empties it in place. */
export class StripeState {
  readonly customers = new Collection<Stripe.Customer>('customer');
  readonly products = new Collection<Stripe.Product>('product');
  readonly prices = new Collection<Stripe.Price>('price');
  readonly paymentMethods = new Collection<Stripe.PaymentMethod>('PaymentMethod');
  readonly paymentIntents = new Collection<Stripe.PaymentIntent>('payment_intent');
  readonly charges = new Collection<Stripe.Charge>('charge');
  readonly refunds = new Collection<Stripe.Refund>('refund');
  readonly disputes = new Collection<Stripe.Dispute>('dispute');
  readonly mandates = new Collection<Stripe.Mandate>('mandate');
  readonly setupIntents = new Collection<Stripe.SetupIntent>('setupintent');
  readonly setupAttempts = new Collection<Stripe.SetupAttempt>('setup_attempt');
  readonly invoices = new Collection<StoredInvoice>('invoice');
  readonly invoiceItems = new Collection<Stripe.InvoiceItem>('invoiceitem');
  readonly subscriptions = new Collection<Stripe.Subscription>('subscription');
  readonly checkoutSessions = new Collection<Stripe.Checkout.Session>('checkout.session');
  readonly portalSessions = new Collection<Stripe.BillingPortal.Session>('billing_portal.session');
  readonly events = new Collection<StoredEvent>('event');
  readonly webhookEndpoints = new Collection<StoredWebhookEndpoint>('webhook_endpoint');
  readonly testClocks = new Collection<Stripe.TestHelpers.TestClock>('test_clock');

  /** The running time of each test clock, advanced with the core scheduler like the shared clock. */
  readonly testClockTimes = new Map<string, SandboxClock>();
  readonly checkoutPlans = new Map<string, CheckoutPlan>();
  readonly notices = new Map<string, SubscriptionNotices>();
  /** Payment intent id -> the invoice or checkout session it pays. */
  readonly paymentPurpose = new Map<string, { invoice?: string; checkoutSession?: string }>();
  /** Invoice id -> its payment intent; shown only through `expand[]` (payments, confirmation_secret). */
  readonly invoiceIntents = new Map<string, string>();
  readonly cashBalances = new Map<string, Map<string, number>>();
  /** Payment methods whose next payment was authenticated (3D Secure) on a hosted page. */
  readonly authenticatedOnce = new Set<string>();
  timers: Timer[] = [];
  /** The next timer's `seq`: with `at`, it orders timers due at the same moment. */
  timerSeq = 0;

  private readonly byPrefix: Array<[string, Collection<{ id: string }>]> = [
    ['cus_', this.customers],
    ['prod_', this.products],
    ['price_', this.prices],
    ['pm_', this.paymentMethods],
    ['pi_', this.paymentIntents],
    ['ch_', this.charges],
    ['re_', this.refunds],
    ['dp_', this.disputes],
    ['mandate_', this.mandates],
    ['seti_', this.setupIntents],
    ['setatt_', this.setupAttempts],
    ['in_', this.invoices],
    ['ii_', this.invoiceItems],
    ['sub_', this.subscriptions],
    ['cs_', this.checkoutSessions],
    ['bps_', this.portalSessions],
    ['evt_', this.events],
    ['we_', this.webhookEndpoints],
    ['clock_', this.testClocks],
  ];

  /** Any stored object by its id, for `expand[]`. */
  findById(id: string): { id: string } | undefined {
    for (const [prefix, collection] of this.byPrefix) if (id.startsWith(prefix)) return collection.get(id);
    return undefined;
  }

  addTimer<K extends TimerKind>(at: number, clockId: string | null, kind: K, args: TimerArgs[K]): void {
    this.timers.push({ at, clockId, seq: this.timerSeq++, kind, args } as Timer);
  }

  reset(): void {
    for (const [, collection] of this.byPrefix) collection.clear();
    this.testClockTimes.clear();
    this.checkoutPlans.clear();
    this.notices.clear();
    this.paymentPurpose.clear();
    this.invoiceIntents.clear();
    this.cashBalances.clear();
    this.authenticatedOnce.clear();
    this.timers = [];
  }
}
