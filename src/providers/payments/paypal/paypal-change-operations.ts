import { ApplicationContextUserAction, ExperienceContextShippingPreference, type Subscription } from '@paypal/paypal-server-sdk';
import { addInterval } from '../../../domain/calendar-period.ts';
import { notFound, RecurError } from '../../../shared/errors.ts';
import type { SubscriptionChangeOperations, ProviderSubscriptionChange } from '../subscription-change-operations.ts';
import type { PaypalClient } from './create-paypal-client.ts';
import { derivePaypalRequestId } from './derive-paypal-request-id.ts';
import { toPaypalProviderPrice } from './map-paypal-plan.ts';
import { planWithoutTrial } from './paypal-plan-catalogue.ts';
import type { PaypalSubscriptionReads } from './paypal-subscription-reads.ts';

const ENDED: ReadonlySet<string> = new Set(['CANCELLED', 'EXPIRED']);

const declared = (what: string) => Promise.reject(new RecurError('not_supported_by_provider', `PayPal cannot ${what}`));

const dateOf = (text: string | undefined): Date | null => (text && !Number.isNaN(Date.parse(text)) ? new Date(Date.parse(text)) : null);

/**
 * Plan switches, cancels and resumes at PayPal. A switch is PayPal's revision: it takes effect at
 * the next billing cycle, without proration (the preview says so and the switch equals it). PayPal
 * cancels only at once, keeps no payment method recur could read and has no billing portal:
 * those are declared in the capabilities and refused here, never imitated. A trial until a date
 * is a subscription to the plan's twin without trial that starts then: PayPal bills its first
 * cycle at `start_time` and nothing before, and the buyer approves it (no card on file to use).
 */
export function createPaypalChangeOperations(client: PaypalClient, reads: PaypalSubscriptionReads): SubscriptionChangeOperations {
  const { sdk } = client;

  async function changeOf(id: string, raw?: Subscription | null): Promise<ProviderSubscriptionChange> {
    const read = await reads.read(id);
    if (!read) throw notFound('PayPal subscription', id);
    return { subscription: read.subscription, changedAt: dateOf((raw ?? read.raw).statusUpdateTime ?? read.raw.updateTime), invoice: null };
  }

  async function requireSubscription(id: string): Promise<Subscription> {
    const raw = await sdk.getSubscription(id);
    if (!raw) throw notFound('PayPal subscription', id);
    return raw;
  }

  return {
    async readPriceChangeStart(subscriptionId) {
      const read = await reads.read(subscriptionId);
      if (!read) throw notFound('PayPal subscription', subscriptionId);
      // A PayPal subscription has no items: the subscription is its own single item.
      return { subscription: read.subscription, itemId: subscriptionId, latestInvoiceId: null };
    },

    async previewPriceChange({ start, priceId }) {
      const plan = await sdk.getPlan(priceId);
      const price = plan ? toPaypalProviderPrice(plan) : null;
      if (!price?.interval) throw new RecurError('conflict', `PayPal plan ${priceId} has no monthly or yearly price`);
      // The revision applies from the next billing: the trial's end, or the end of the paid period.
      const effective = start.subscription.trialEnd ?? start.subscription.currentPeriodEnd;
      if (!effective) throw new RecurError('conflict', `PayPal subscription ${start.subscription.id} has no next billing to switch at`);
      const periodEnd = addInterval(effective, price.interval, 1);
      return {
        amountDueMinor: price.amountMinor,
        totalMinor: price.amountMinor,
        startingBalanceMinor: 0,
        currency: price.currency,
        prorationDate: effective,
        lines: [{ description: plan?.name ?? priceId, amountMinor: price.amountMinor, proration: false, periodStart: effective, periodEnd }],
        periodEnd,
      };
    },

    async changePrice({ start, priceId }, idempotencyKey) {
      // The switched-to plan's trial is not given again: the twin without it, when there is one.
      const planId = await planWithoutTrial(sdk, priceId);
      await sdk.reviseSubscription(start.subscription.id, { planId }, derivePaypalRequestId(['revise', start.subscription.id, idempotencyKey]));
      return changeOf(start.subscription.id);
    },

    cancelAtPeriodEnd: () => declared('cancel at the end of the paid period (it cancels at once)'),

    async cancelNow(subscriptionId, idempotencyKey) {
      const raw = await requireSubscription(subscriptionId);
      if (!ENDED.has(String(raw.status ?? ''))) await sdk.cancelSubscription(subscriptionId, 'Cancelled at the customer\'s request', derivePaypalRequestId(['cancel', subscriptionId, idempotencyKey]));
      return changeOf(subscriptionId);
    },

    async resumeSubscription(subscriptionId, _paused, idempotencyKey) {
      // PayPal has no pending cancel to undo; what can be resumed is a suspended subscription.
      const raw = await requireSubscription(subscriptionId);
      if (String(raw.status ?? '') === 'SUSPENDED') await sdk.activateSubscription(subscriptionId, 'Resumed at the customer\'s request', derivePaypalRequestId(['activate', subscriptionId, idempotencyKey]));
      return changeOf(subscriptionId);
    },

    hasDefaultPaymentMethod: () => declared('tell whether a payer has a payment method on file'),
    createTrialSubscription: () => declared('start a subscription without the buyer approving it'),
    async createTrialCheckoutSession(input, idempotencyKey) {
      const planId = await planWithoutTrial(sdk, input.priceId);
      const returnUrl = new URL(input.successUrl);
      // PayPal appends subscription_id itself; Stripe's placeholder has no meaning here.
      for (const [name, value] of [...returnUrl.searchParams]) if (value === '{CHECKOUT_SESSION_ID}') returnUrl.searchParams.delete(name);
      const created = await sdk.createSubscription(
        {
          planId,
          startTime: input.trialEnd.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          ...(input.metadata['recur_customer_id'] ? { customId: input.metadata['recur_customer_id'] } : {}),
          applicationContext: {
            locale: input.locale === 'nl' ? 'nl-NL' : 'en-US',
            shippingPreference: ExperienceContextShippingPreference.NoShipping,
            userAction: ApplicationContextUserAction.SubscribeNow,
            returnUrl: returnUrl.toString(),
            cancelUrl: input.cancelUrl,
          },
        },
        derivePaypalRequestId(['auto-renew-checkout', idempotencyKey]),
      );
      const url = created.links?.find((link) => link.rel === 'approve')?.href;
      if (!created.id || !url) throw new TypeError('PayPal answered a new subscription without an id or approve link');
      return { id: created.id, url };
    },
    createBillingPortalSession: () => declared('open a billing portal for the customer'),
  };
}
