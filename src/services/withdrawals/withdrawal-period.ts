import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { withdrawalPeriodEnd } from '../../domain/withdrawal.ts';

/** The first instant after the subscription's withdrawal period, in the customer's time zone. */
export const withdrawalPeriodEndOf = (subscription: SubscriptionRecord, timeZone: string): Date => withdrawalPeriodEnd(subscription.signedUpAt, timeZone);
