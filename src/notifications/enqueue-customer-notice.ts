import type { Queryable } from '../db/database.ts';
import { findNoticeRecipient } from '../db/repositories/notice-schedule-repository.ts';
import { insertNotice } from '../db/repositories/notification-outbox-repository.ts';
import { givingTime, listPrepaidPeriodsOfCustomer } from '../db/repositories/prepaid-period-repository.ts';
import type { SubscriptionRecord } from '../db/repositories/subscription-repository.ts';
import { coverageEnd } from '../domain/prepaid-period.ts';
import { getPlanName, type Plan } from '../domain/plan.ts';
import { SMS_NOTICES, type CustomerNotice, type CustomerNoticePayloads, type NoticeLocale, type SubscriptionFacts } from './notice-catalogue.ts';

/** What a notice says beyond the subscription's facts (the payment, the step, the end date, ...). */
export type NoticeDetails<T extends CustomerNotice> = Omit<CustomerNoticePayloads[T], keyof SubscriptionFacts>;

export type CustomerNoticeRequest<T extends CustomerNotice> = {
  template: T;
  /** The e-mail row's key; an SMS row gets `{businessKey}:sms`. Deciding again writes nothing. */
  businessKey: string;
  subscription: SubscriptionRecord;
  plans: readonly Plan[];
  details: NoticeDetails<T>;
  now: Date;
};

export type EnqueueNoticeOutcome = { outcome: 'enqueued'; written: number } | { outcome: 'skipped'; reason: string };

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/**
 * The subscription as every customer notice describes it. The next charge is the trial end while
 * trialing, else the end of the period; a subscription that is ending has none. The plan's name
 * is the one in the notice's locale, fixed with the row like every other fact.
 */
export function describeSubscription(subscription: SubscriptionRecord, plan: Plan, customerName: string | null, locale: NoticeLocale, trialPaid = false): SubscriptionFacts {
  const ending = subscription.status === 'canceled' || subscription.cancelAtPeriodEnd;
  const nextCharge = subscription.status === 'trialing' ? (subscription.trialEnd ?? subscription.currentPeriodEnd) : subscription.currentPeriodEnd;
  return {
    subscription_id: subscription.id,
    customer_name: customerName,
    plan_name: getPlanName(plan, locale),
    interval: plan.interval,
    amount_minor: plan.amountMinor,
    currency: plan.currency,
    trial_end: iso(subscription.trialEnd),
    ...(subscription.trialEnd && trialPaid ? { trial_paid: true } : {}),
    next_charge_at: ending ? null : iso(nextCharge),
    ...(subscription.mandateReference ? { mandate_reference: subscription.mandateReference } : {}),
  };
}

/** A little slack: auto-renew's trial ends at the prepaid end, to the second, on the provider's clock. */
const PAID_UNTIL_SLACK_MS = 60_000;

/**
 * Whether the customer's prepaid time (recorded purchases, not refunded) runs until `until`: then a
 * subscription whose trial ends there follows time already paid for (auto-renew), and no notice may
 * call it a free trial.
 */
async function isPaidUntil(tx: Queryable, customerId: string, until: Date, now: Date): Promise<boolean> {
  const end = coverageEnd(givingTime(await listPrepaidPeriodsOfCustomer(tx, customerId)), now);
  return end !== null && end.getTime() >= until.getTime() - PAID_UNTIL_SLACK_MS;
}

/**
 * Writes one customer notice about a subscription into the outbox, inside the caller's
 * transaction: the e-mail, and for the SMS notices a text too when the customer has a phone and
 * consent counts. Both are due now; the sender keeps an SMS out of the customer's quiet hours.
 * A subscription on a plan the catalogue no longer has is skipped: its notice could not say what
 * the customer pays.
 */
export async function enqueueCustomerNotice<T extends CustomerNotice>(tx: Queryable, request: CustomerNoticeRequest<T>): Promise<EnqueueNoticeOutcome> {
  const { subscription } = request;
  const plan = request.plans.find((candidate) => candidate.id === subscription.planId);
  if (!plan) return { outcome: 'skipped', reason: `plan "${subscription.planId}" is not in the catalogue` };
  const recipient = await findNoticeRecipient(tx, subscription.customerId);
  if (!recipient) return { outcome: 'skipped', reason: `customer ${subscription.customerId} is unknown` };

  const trialPaid = subscription.trialEnd !== null && (await isPaidUntil(tx, subscription.customerId, subscription.trialEnd, request.now));
  const payload = { ...describeSubscription(subscription, plan, recipient.name, recipient.locale, trialPaid), ...request.details };
  const row = { customerId: recipient.customerId, subscriptionId: subscription.id, template: request.template, locale: recipient.locale, payload, dueAt: request.now, now: request.now };
  let written = 0;
  if (await insertNotice(tx, { ...row, businessKey: request.businessKey, channel: 'email', recipient: recipient.email })) written += 1;
  if (SMS_NOTICES.includes(request.template) && recipient.phone && recipient.smsConsent) {
    if (await insertNotice(tx, { ...row, businessKey: `${request.businessKey}:sms`, channel: 'sms', recipient: recipient.phone })) written += 1;
  }
  return { outcome: 'enqueued', written };
}
