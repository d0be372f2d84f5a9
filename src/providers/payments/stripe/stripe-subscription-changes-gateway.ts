import type Stripe from 'stripe';
import { callStripe } from './stripe-errors.ts';
import type { PriceChange, PriceChangePreviewLine, ProviderInvoiceSummary, ProviderSubscriptionChange, SubscriptionChangeOperations } from '../subscription-change-operations.ts';
import { toProviderSubscription } from './stripe-mappers.ts';

// Monthly <-> yearly changes the interval, so Stripe starts a new period and invoices it at once
// whatever the behaviour; always_invoice also charges (or credits) any other proration now
// instead of leaving it for the next renewal, which is what a shop shows as "pay the difference now".
const PRORATION_BEHAVIOR = 'always_invoice';
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const dateOf = (value: number) => new Date(value * 1000);

function invoiceSummary(invoice: Stripe.Invoice | string | null): ProviderInvoiceSummary | null {
  if (!invoice || typeof invoice === 'string') return null;
  return { id: invoice.id!, amountDueMinor: invoice.amount_due, amountPaidMinor: invoice.amount_paid, currency: invoice.currency.toUpperCase(), status: invoice.status ?? 'draft' };
}

// A credit for unused time runs to the old period's end (a year, when leaving yearly): only the
// new price's own line says when its period ends; prorations alone (same interval) end with the current one.
function periodEndOf(lines: PriceChangePreviewLine[]): Date {
  const own = lines.filter((line) => !line.proration);
  return new Date(Math.max(...(own.length > 0 ? own : lines).map((line) => line.periodEnd.getTime())));
}

function changed(subscription: Stripe.Subscription, changedAt: number | null): ProviderSubscriptionChange {
  return { subscription: toProviderSubscription(subscription), changedAt: changedAt === null ? null : dateOf(changedAt), invoice: invoiceSummary(subscription.latest_invoice) };
}

export function createStripeSubscriptionChangesGateway(stripe: Stripe): SubscriptionChangeOperations {
  const details = (change: PriceChange) => ({
    items: [{ id: change.start.itemId, price: change.priceId }],
    proration_behavior: PRORATION_BEHAVIOR as typeof PRORATION_BEHAVIOR,
    ...(change.prorationDate ? { proration_date: seconds(change.prorationDate) } : {}),
  });

  return {
    async readPriceChangeStart(subscriptionId) {
      const subscription = await callStripe(`reading subscription ${subscriptionId}`, () => stripe.subscriptions.retrieve(subscriptionId));
      const latest = subscription.latest_invoice;
      return { subscription: toProviderSubscription(subscription), itemId: subscription.items.data[0]!.id, latestInvoiceId: typeof latest === 'string' ? latest : (latest?.id ?? null) };
    },

    async previewPriceChange(change) {
      const preview = await callStripe('previewing the plan change', () => stripe.invoices.createPreview({ subscription: change.start.subscription.id, subscription_details: details(change) }));
      const lines = preview.lines.data.map((line) => ({
        description: line.description ?? '',
        amountMinor: line.amount,
        proration: line.parent?.subscription_item_details?.proration ?? line.parent?.invoice_item_details?.proration ?? false,
        periodStart: dateOf(line.period.start),
        periodEnd: dateOf(line.period.end),
      }));
      return {
        amountDueMinor: preview.amount_due,
        totalMinor: preview.total,
        startingBalanceMinor: preview.starting_balance ?? 0,
        currency: preview.currency.toUpperCase(),
        prorationDate: dateOf(preview.parent?.subscription_details?.subscription_proration_date ?? preview.created),
        lines,
        periodEnd: periodEndOf(lines),
      };
    },

    async changePrice(change, idempotencyKey) {
      const params = { ...details(change), payment_behavior: 'allow_incomplete' as const, expand: ['latest_invoice'] };
      const subscription = await callStripe('switching the plan', () => stripe.subscriptions.update(change.start.subscription.id, params, { idempotencyKey }));
      const latest = typeof subscription.latest_invoice === 'object' ? subscription.latest_invoice : null;
      // A switch that invoices nothing (a trial continues) leaves the latest invoice as it was: not the switch's.
      const invoice = latest && latest.id !== change.start.latestInvoiceId ? latest : null;
      // A new period (an interval change) or a new invoice both start at Stripe's now; a trial that
      // continues carries no time of the change.
      const periodStart = subscription.items.data[0]?.current_period_start ?? null;
      const restarted = periodStart !== null && periodStart * 1000 !== change.start.subscription.currentPeriodStart?.getTime();
      const times = [restarted ? periodStart : null, invoice?.created ?? null].filter((time) => time !== null);
      return { ...changed(subscription, times.length > 0 ? Math.max(...times) : null), invoice: invoiceSummary(invoice) };
    },

    async cancelAtPeriodEnd(subscriptionId, idempotencyKey) {
      const subscription = await callStripe('cancelling at period end', () =>
        stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true, expand: ['latest_invoice'] }, { idempotencyKey }),
      );
      // Stripe stamps canceled_at with the time of the cancel request.
      return changed(subscription, subscription.canceled_at);
    },

    async cancelNow(subscriptionId, idempotencyKey) {
      const subscription = await callStripe('cancelling now', () => stripe.subscriptions.cancel(subscriptionId, { expand: ['latest_invoice'] }, { idempotencyKey }));
      return changed(subscription, subscription.canceled_at);
    },

    async resumeSubscription(subscriptionId, paused, idempotencyKey) {
      if (paused) {
        const subscription = await callStripe('resuming the paused subscription', () =>
          stripe.subscriptions.resume(subscriptionId, { expand: ['latest_invoice'] }, { idempotencyKey }),
        );
        return changed(subscription, subscription.items.data[0]?.current_period_start ?? null);
      }
      const subscription = await callStripe('undoing the pending cancel', () =>
        stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: false, expand: ['latest_invoice'] }, { idempotencyKey }),
      );
      // Nothing in the answer carries Stripe's time of this change.
      return changed(subscription, null);
    },

    async hasDefaultPaymentMethod(providerCustomerId) {
      const customer = await callStripe('reading the customer', () => stripe.customers.retrieve(providerCustomerId));
      return !customer.deleted && customer.invoice_settings.default_payment_method != null;
    },

    async createTrialSubscription(input, idempotencyKey) {
      const subscription = await callStripe('creating the subscription', () =>
        stripe.subscriptions.create(
          { customer: input.providerCustomerId, items: [{ price: input.priceId }], trial_end: seconds(input.trialEnd), metadata: input.metadata, expand: ['latest_invoice'] },
          { idempotencyKey },
        ),
      );
      return changed(subscription, subscription.created);
    },

    async createTrialCheckoutSession(input, idempotencyKey) {
      const session = await callStripe('creating the checkout session', () =>
        stripe.checkout.sessions.create(
          {
            mode: 'subscription',
            ...(input.providerCustomerId ? { customer: input.providerCustomerId } : {}),
            line_items: [{ price: input.priceId, quantity: 1 }],
            subscription_data: { trial_end: seconds(input.trialEnd), metadata: input.metadata },
            ...(input.metadata['recur_customer_id'] ? { client_reference_id: input.metadata['recur_customer_id'] } : {}),
            metadata: input.metadata,
            success_url: input.successUrl,
            cancel_url: input.cancelUrl,
            locale: (input.locale === 'nl' || input.locale === 'en' ? input.locale : 'auto') as Stripe.Checkout.SessionCreateParams.Locale,
          },
          { idempotencyKey },
        ),
      );
      return { id: session.id, url: session.url! };
    },

    async createBillingPortalSession(input, idempotencyKey) {
      const session = await callStripe('opening the billing portal', () =>
        stripe.billingPortal.sessions.create(
          { customer: input.providerCustomerId, return_url: input.returnUrl, locale: (input.locale === 'nl' || input.locale === 'en' ? input.locale : 'auto') as Stripe.BillingPortal.SessionCreateParams.Locale },
          { idempotencyKey },
        ),
      );
      return { url: session.url };
    },
  };
}
