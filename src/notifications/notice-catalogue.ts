/**
 * Every notice recur sends, by template name. The outbox row names one of these; the renderer
 * has one template per name, in each locale; the scheduler and the event hooks decide when.
 */
export const CUSTOMER_NOTICES = [
  'enrolment-confirmation',
  'trial-reminder',
  'trial-ending',
  'renewal-reminder',
  'receipt',
  'refund-receipt',
  'payment-failed',
  'direct-debit-returned',
  'payment-action-required',
  'dunning-reminder',
  'dunning-final-warning',
  'cancellation-confirmation',
  'portal-link',
  'withdrawal-confirmation',
] as const;

export const ADMIN_NOTICES = [
  'admin-alert-dead-webhook',
  'admin-alert-fraud-ban',
  'admin-alert-fraud-suspect',
  'admin-alert-dispute',
  'admin-alert-several-live-subscriptions',
  'admin-alert-missing-at-provider',
  'admin-alert-reconciliation',
  'admin-alert-job-failure',
  'admin-alert-webhook-failed',
  'admin-monthly-report',
] as const;

export type CustomerNotice = (typeof CUSTOMER_NOTICES)[number];
export type AdminNotice = (typeof ADMIN_NOTICES)[number];
export type NoticeTemplate = CustomerNotice | AdminNotice;
export const NOTICE_TEMPLATES: readonly NoticeTemplate[] = [...CUSTOMER_NOTICES, ...ADMIN_NOTICES];

/** The customer notices that also go out as SMS (to a customer with a phone and recorded consent). */
export const SMS_NOTICES: readonly CustomerNotice[] = ['trial-reminder', 'payment-action-required', 'dunning-final-warning'];

export type NoticeLocale = 'nl' | 'en';
export type NoticeChannel = 'email' | 'sms';

export function isNoticeTemplate(value: string): value is NoticeTemplate {
  return (NOTICE_TEMPLATES as readonly string[]).includes(value);
}

/**
 * What a customer notice says about the subscription, stored as the outbox row's payload (JSON,
 * snake_case, instants as ISO strings in UTC). The renderer formats amounts and dates per locale
 * and time zone; nothing here is pre-formatted.
 */
export type SubscriptionFacts = {
  subscription_id: string;
  customer_name: string | null;
  plan_name: string;
  interval: 'month' | 'year';
  /** The plan's price per interval: the amount of the first charge after a trial and of each renewal. */
  amount_minor: number;
  currency: string;
  trial_end: string | null;
  /**
   * The "trial" is time the customer already paid for (auto-renew after a prepaid period: the first
   * charge falls on the paid date), not a free trial; absent on notices written before it existed.
   */
  trial_paid?: boolean;
  /** When the next (or first) charge happens: the trial end, or the end of the current period. */
  next_charge_at: string | null;
  /**
   * The SEPA mandate the subscription's debits are taken under: the notice before a debit states
   * it (with the creditor identifier, the amount and the date), as the SEPA rulebook asks. Absent:
   * not paid by direct debit, or written before recur kept mandates.
   */
  mandate_reference?: string;
};

export type PaymentFacts = {
  payment_id: string;
  amount_minor: number;
  currency: string;
  paid_at: string;
  method_summary: string | null;
};

/** The payload of each customer notice. */
export type CustomerNoticePayloads = {
  'enrolment-confirmation': SubscriptionFacts;
  'trial-reminder': SubscriptionFacts;
  'trial-ending': SubscriptionFacts;
  'renewal-reminder': SubscriptionFacts;
  receipt: SubscriptionFacts & { payment: PaymentFacts };
  'refund-receipt': SubscriptionFacts & { payment: PaymentFacts; refunded_minor: number; refunded_total_minor: number };
  'payment-failed': SubscriptionFacts & { amount_due_minor: number; failed_at: string };
  /** A direct debit the bank returned (SEPA: days after it was taken): the subscription is unpaid until paid another way. */
  'direct-debit-returned': SubscriptionFacts & { payment_id: string; amount_due_minor: number; failed_at: string };
  /**
   * A renewal that waits for the customer's strong authentication (3D Secure): the link where the
   * customer completes it (the provider's page), and, for a reminder, its step in the dunning schedule.
   */
  'payment-action-required': SubscriptionFacts & { payment_id: string; amount_due_minor: number; action_url: string; step?: number; of?: number };
  /** step: 1 for the first follow-up; of: how many follow-ups the schedule has. */
  'dunning-reminder': SubscriptionFacts & { amount_due_minor: number; failed_at: string; step: number; of: number };
  'dunning-final-warning': SubscriptionFacts & { amount_due_minor: number; failed_at: string; step: number; of: number };
  'cancellation-confirmation': SubscriptionFacts & { ends_at: string; canceled_at: string };
  /** A one-time link into the portal, asked for on the page behind a notice's manage link; the link itself is made when sent. */
  'portal-link': SubscriptionFacts & { expires_at: string };
  /** The acknowledgement of a withdrawal (EU 2023/2673): when it was made, and what is refunded (0: nothing, per the shop's policy). */
  'withdrawal-confirmation': SubscriptionFacts & { withdrawn_at: string; refund_minor: number; refund_currency: string };
};

export type MoneyTotal = { currency: string; amount_minor: number };

/** The monthly report's figures for one calendar month (UTC). */
export type MonthlyReportPayload = {
  month: string;
  active: number;
  trialing: number;
  past_due: number;
  new: number;
  churned: number;
  /** Succeeded payments in the month, less refunds, per currency. */
  revenue: MoneyTotal[];
  /** Monthly recurring revenue at the month's end: monthly prices plus yearly prices / 12, per currency. */
  mrr: MoneyTotal[];
};

/**
 * Links a customer notice carries, made when it is sent (a signed token never rests in the
 * database): cancel online, and fix the card. `portal`: the page that e-mails a fresh portal link
 * (manage the subscription); `portal_entry`: that e-mail's one-time way into the portal.
 */
export type NoticeLinks = { cancel: string; payment_method: string; portal?: string; portal_entry?: string };

/** Who the notices come from, for greetings and footers. */
export type ShopIdentity = {
  name: string;
  support_email: string | null;
  /** The SEPA creditor identifier the shop's debits are collected under (SEPA_CREDITOR_ID); null: not stated. */
  sepa_creditor_id?: string | null;
};
