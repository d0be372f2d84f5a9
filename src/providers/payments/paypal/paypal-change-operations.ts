import type { Subscription } from '@paypal/paypal-server-sdk';
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
 * cancels only at once, keeps no payment method recur could read, has no billing portal and no
 * trial until a date: those are declared in the capabilities and refused here, never imitated.
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
    createTrialSubscription: () => declared('start a subscription with a trial until a given date'),
    createTrialCheckoutSession: () => declared('start a subscription with a trial until a given date'),
    createBillingPortalSession: () => declared('open a billing portal for the customer'),
  };
}
