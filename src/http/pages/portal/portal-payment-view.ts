import type { PaymentRecord, PaymentStatus } from '../../../db/repositories/payment-repository.ts';
import type { RefundRecord } from '../../../db/repositories/refund-repository.ts';
import type { SubscriptionRecord } from '../../../db/repositories/subscription-repository.ts';
import { addInterval } from '../../../domain/calendar-period.ts';
import { getPlanName, type Plan } from '../../../domain/plan.ts';
import { providerName } from '../../../domain/provider.ts';
import { formatAmount, formatDate } from '../../../notifications/format-notice-values.ts';
import type { PageLocale } from '../../render-html-page.ts';
import { billingText, type BillingWords } from './portal-billing-text.ts';
import { fill } from './portal-text.ts';

export type PaymentSettings = { locale: PageLocale; timeZone: string; plans: readonly Plan[] };

/** One line of the payment history: amounts in the customer's locale, the status in words. */
export type PaymentRow = { id: string; date: string; amount: string; status: string; refund: string | null; receiptLabel: string };

const STATUS_WORDS: Record<PaymentStatus, keyof BillingWords> = {
  pending: 'statusPending',
  processing: 'statusProcessing',
  succeeded: 'statusSucceeded',
  failed: 'statusFailed',
  refunded: 'statusRefunded',
  partially_refunded: 'statusPartiallyRefunded',
  disputed: 'statusDisputed',
};

/** When the payment was due (the invoice's date), else when recur recorded it. */
const paidAt = (payment: PaymentRecord): Date => payment.invoiceAt ?? payment.createdAt;

export function viewPaymentRow(payment: PaymentRecord, settings: PaymentSettings): PaymentRow {
  const words = billingText(settings.locale);
  const date = formatDate(paidAt(payment), settings.locale, settings.timeZone);
  const refund = payment.amountRefundedMinor > 0 ? fill(words.refundedAmount, { amount: formatAmount(payment.amountRefundedMinor, payment.currency, settings.locale) }) : null;
  return { id: payment.id, date, amount: formatAmount(payment.amountMinor, payment.currency, settings.locale), status: words[STATUS_WORDS[payment.status]], refund, receiptLabel: fill(words.viewReceipt, { date }) };
}

/** A receipt: what was paid for, the period, amount, method, date and recur's payment id. */
export type ReceiptView = { id: string; heading: string; facts: { term: string; value: string }[] };

export function viewReceipt(payment: PaymentRecord, subscription: SubscriptionRecord | null, refunds: readonly RefundRecord[], shopName: string, settings: PaymentSettings): ReceiptView {
  const { locale, timeZone } = settings;
  const words = billingText(locale);
  const date = (instant: Date) => formatDate(instant, locale, timeZone);
  const plan = subscription ? settings.plans.find((candidate) => candidate.id === subscription.planId) : undefined;
  const planName = plan ? getPlanName(plan, locale) : subscription?.planId;
  const facts = [{ term: words.paidFor, value: payment.kind === 'subscription' && planName ? fill(words.subscriptionPayment, { plan: planName }) : words.oneTimePayment }];
  const period = periodOf(payment, plan, words, date);
  if (period) facts.push({ term: words.period, value: period });
  facts.push({ term: words.amount, value: formatAmount(payment.amountMinor, payment.currency, locale) });
  if (payment.amountRefundedMinor > 0) facts.push({ term: words.refunded, value: formatAmount(payment.amountRefundedMinor, payment.currency, locale) });
  facts.push({ term: words.paymentStatus, value: words[STATUS_WORDS[payment.status]] });
  // Each refund, also one made at the provider or one that failed: the customer sees what came back and what did not.
  for (const refund of refunds) {
    const amount = formatAmount(refund.amountMinor, refund.currency, locale);
    const said = refund.status === 'succeeded' ? words.refundedAmount : refund.status === 'failed' ? words.refundFailed : words.refundPending;
    facts.push({ term: fill(words.refundOf, { date: date(refund.createdAt) }), value: fill(said, { amount }) });
  }
  const provider = providerName(payment.provider);
  // PayPal's summary is its own name: "PayPal", not "PayPal through PayPal".
  const method = payment.methodSummary && payment.methodSummary !== provider ? fill(words.methodVia, { method: payment.methodSummary, provider }) : provider;
  facts.push({ term: words.method, value: method });
  facts.push({ term: words.paidOn, value: date(paidAt(payment)) });
  facts.push({ term: words.paymentId, value: payment.id });
  return { id: payment.id, heading: fill(words.receiptOf, { shop: shopName }), facts };
}

/**
 * The period a subscription payment paid for. recur keeps the invoice's date, not its period: a
 * payment of the plan's full price paid one billing period from that date; any other amount (the
 * difference charged by a plan switch) paid from that date to the end of the period it fell in,
 * which recur does not keep, so only its start is said.
 */
function periodOf(payment: PaymentRecord, plan: Plan | undefined, words: BillingWords, date: (instant: Date) => string): string | null {
  if (payment.kind !== 'subscription' || !payment.invoiceAt) return null;
  if (plan && plan.amountMinor === payment.amountMinor && plan.currency === payment.currency) {
    return fill(words.periodRange, { from: date(payment.invoiceAt), to: date(addInterval(payment.invoiceAt, plan.interval, 1)) });
  }
  return fill(words.periodFrom, { from: date(payment.invoiceAt) });
}
