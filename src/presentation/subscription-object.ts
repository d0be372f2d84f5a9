import type { SubscriptionRecord } from '../db/repositories/subscription-repository.ts';
import type { ProviderId } from '../domain/provider.ts';
import type { SubscriptionStatus } from '../domain/subscription-status.ts';
import { isoOrNull } from './iso-time.ts';

/** A subscription as the API answers it and as outgoing events carry it; `customer` is the shop's external id. */
export type SubscriptionObject = {
  id: string;
  customer: string;
  provider: ProviderId;
  provider_subscription_id: string;
  plan: string;
  status: SubscriptionStatus;
  provider_status: string;
  trial_end: string | null;
  current_period_start: string | null;
  current_period_end: string | null;
  cancel_at_period_end: boolean;
  canceled_at: string | null;
  signed_up_at: string;
  mandate_reference: string | null;
  created_at: string;
  updated_at: string;
};

export const toSubscriptionObject = (subscription: SubscriptionRecord): SubscriptionObject => ({
  id: subscription.id,
  customer: subscription.customerExternalId,
  provider: subscription.provider,
  provider_subscription_id: subscription.providerSubscriptionId,
  plan: subscription.planId,
  status: subscription.status,
  provider_status: subscription.providerStatus,
  trial_end: isoOrNull(subscription.trialEnd),
  current_period_start: isoOrNull(subscription.currentPeriodStart),
  current_period_end: isoOrNull(subscription.currentPeriodEnd),
  cancel_at_period_end: subscription.cancelAtPeriodEnd,
  canceled_at: isoOrNull(subscription.canceledAt),
  signed_up_at: subscription.signedUpAt.toISOString(),
  mandate_reference: subscription.mandateReference,
  created_at: subscription.createdAt.toISOString(),
  updated_at: subscription.updatedAt.toISOString(),
});
