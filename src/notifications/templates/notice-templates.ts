import { SMS_NOTICES, type NoticeChannel, type NoticeTemplate } from '../notice-catalogue.ts';
import { deadWebhookAlert, disputeAlert, fraudBanAlert, fraudSuspectAlert, jobFailureAlert, missingAtProviderAlert, reconciliationAlert, severalLiveSubscriptionsAlert, webhookFailedAlert } from './admin-alerts.ts';
import { cancellationConfirmation } from './cancellation-confirmation.ts';
import { directDebitReturned, dunningFinalWarning, dunningReminder, paymentFailed } from './dunning.ts';
import { enrolmentConfirmation } from './enrolment-confirmation.ts';
import { monthlyReport } from './monthly-report.ts';
import { paymentActionRequired } from './payment-action-required.ts';
import { portalLink } from './portal-link.ts';
import type { NoticeTemplateDefinition } from './notice-template.ts';
import { receipt, refundReceipt } from './receipts.ts';
import { renewalReminder } from './renewal-reminder.ts';
import { trialEnding } from './trial-ending.ts';
import { trialReminder } from './trial-reminder.ts';
import { withdrawalConfirmation } from './withdrawal-confirmation.ts';

/** Every template by name; a `Record` over the catalogue, so a new notice without a template does not compile. */
export const noticeTemplates: Readonly<Record<NoticeTemplate, NoticeTemplateDefinition>> = {
  'enrolment-confirmation': enrolmentConfirmation,
  'trial-reminder': trialReminder,
  'trial-ending': trialEnding,
  'renewal-reminder': renewalReminder,
  receipt,
  'refund-receipt': refundReceipt,
  'payment-failed': paymentFailed,
  'direct-debit-returned': directDebitReturned,
  'payment-action-required': paymentActionRequired,
  'dunning-reminder': dunningReminder,
  'dunning-final-warning': dunningFinalWarning,
  'cancellation-confirmation': cancellationConfirmation,
  'portal-link': portalLink,
  'withdrawal-confirmation': withdrawalConfirmation,
  'admin-alert-dead-webhook': deadWebhookAlert,
  'admin-alert-fraud-ban': fraudBanAlert,
  'admin-alert-fraud-suspect': fraudSuspectAlert,
  'admin-alert-dispute': disputeAlert,
  'admin-alert-several-live-subscriptions': severalLiveSubscriptionsAlert,
  'admin-alert-missing-at-provider': missingAtProviderAlert,
  'admin-alert-reconciliation': reconciliationAlert,
  'admin-alert-job-failure': jobFailureAlert,
  'admin-alert-webhook-failed': webhookFailedAlert,
  'admin-monthly-report': monthlyReport,
};

/** The `{{name}}` placeholders a shop's override of this template may use (documented in the README). */
export function placeholdersOf(template: NoticeTemplate): readonly string[] {
  return noticeTemplates[template].placeholders;
}

/**
 * The placeholders an override must keep, per part: the card-network content (amount, date,
 * frequency, the cancel link) and the link to fix the card cannot be written out of a notice.
 */
export function requiredPlaceholdersOf(template: NoticeTemplate): { email: readonly string[]; sms: readonly string[] } {
  return noticeTemplates[template].required;
}

export function channelsOf(template: NoticeTemplate): readonly NoticeChannel[] {
  return (SMS_NOTICES as readonly string[]).includes(template) ? ['email', 'sms'] : ['email'];
}
