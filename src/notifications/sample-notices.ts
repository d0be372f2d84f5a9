import type { CustomerNoticePayloads, MonthlyReportPayload, NoticeLinks, NoticeTemplate, SubscriptionFacts } from './notice-catalogue.ts';

/**
 * Made-up payloads for `recur notices preview` and the template tests: a monthly plan of
 * EUR 29.99 with a 30-day trial that ends late on 30 March UTC, which is 31 March in Amsterdam.
 */
const subscription: SubscriptionFacts = {
  subscription_id: 'sub_sample_1',
  customer_name: 'Jan de Vries',
  plan_name: 'Monthly',
  interval: 'month',
  amount_minor: 2999,
  currency: 'EUR',
  trial_end: '2026-03-30T23:30:00.000Z',
  next_charge_at: '2026-03-30T23:30:00.000Z',
};

const paid = { ...subscription, trial_end: null, next_charge_at: '2026-04-30T23:30:00.000Z' };
const payment = { payment_id: 'pay_sample_1', amount_minor: 2999, currency: 'EUR', paid_at: '2026-03-30T23:31:00.000Z', method_summary: 'Visa •••• 4242' };
const failure = { ...paid, next_charge_at: '2026-03-30T23:30:00.000Z', amount_due_minor: 2999, failed_at: '2026-03-30T23:31:00.000Z' };

const customerSamples: CustomerNoticePayloads = {
  'enrolment-confirmation': subscription,
  'trial-reminder': subscription,
  'trial-ending': subscription,
  'renewal-reminder': { ...paid, plan_name: 'Yearly', interval: 'year', amount_minor: 29990, next_charge_at: '2027-03-30T23:30:00.000Z' },
  receipt: { ...paid, payment },
  'refund-receipt': { ...paid, payment, refunded_minor: 1000, refunded_total_minor: 1000 },
  'payment-failed': failure,
  'direct-debit-returned': { ...failure, mandate_reference: 'RECUR7F3K9Q2M4T8', payment_id: 'pay_sample_1' },
  'payment-action-required': { ...paid, next_charge_at: '2026-03-30T23:30:00.000Z', payment_id: 'pay_sample_1', amount_due_minor: 2999, action_url: 'https://invoice.stripe.com/i/acct_sample/test_sample' },
  'dunning-reminder': { ...failure, step: 1, of: 3 },
  'dunning-final-warning': { ...failure, step: 3, of: 3 },
  'cancellation-confirmation': { ...paid, next_charge_at: null, ends_at: '2026-04-30T23:30:00.000Z', canceled_at: '2026-04-12T09:15:00.000Z' },
  'portal-link': { ...paid, expires_at: '2026-04-12T10:15:00.000Z' },
  'withdrawal-confirmation': { ...paid, next_charge_at: null, withdrawn_at: '2026-04-03T09:15:00.000Z', refund_minor: 2999, refund_currency: 'EUR' },
};

const report: MonthlyReportPayload = {
  month: '2026-03',
  active: 1284,
  trialing: 97,
  past_due: 12,
  new: 143,
  churned: 38,
  revenue: [{ currency: 'EUR', amount_minor: 3_654_221 }],
  mrr: [{ currency: 'EUR', amount_minor: 3_901_750 }],
};

/** The payloads written by the code that raises each alert (see src/webhooks and src/services). */
const adminSamples: Record<Exclude<NoticeTemplate, keyof CustomerNoticePayloads>, unknown> = {
  'admin-alert-dead-webhook': { inbox_id: 4711, provider: 'stripe', provider_event_id: 'evt_sample_1', type: 'invoice.paid', attempts: 8, last_error: 'subscription sub_sample_1 is not known yet' },
  'admin-alert-fraud-ban': { customer_id: 'cus_recur_1', provider_customer_id: 'cus_sample_1', declined: 5, window_days: 30, threshold: 5, canceled_subscriptions: 1, refunded_charges: 0 },
  'admin-alert-fraud-suspect': { customer_id: 'cus_recur_1', provider_customer_id: 'cus_sample_1', declined: 5, window_days: 30, threshold: 5 },
  'admin-alert-dispute': {
    dispute: 'dp_sample_1',
    charge: 'ch_sample_1',
    amount_minor: 2999,
    currency: 'EUR',
    reason: 'fraudulent',
    customer_id: 'cus_recur_1',
    policy: 'hold',
    subscription_id: 'sub_sample_1',
    evidence_due_by: '2026-04-14T23:59:59.000Z',
  },
  'admin-alert-several-live-subscriptions': {
    provider: 'stripe',
    provider_customer_id: 'cus_sample_1',
    customer_id: 'cus_recur_1',
    subscriptions: [
      { id: 'sub_sample_1', status: 'active' },
      { id: 'sub_sample_2', status: 'trialing' },
    ],
    run_id: 'run_sample_1',
  },
  'admin-alert-missing-at-provider': {
    provider: 'stripe',
    provider_subscription_id: 'sub_sample_1',
    subscription_id: 'sub_recur_1',
    customer_id: 'shop-1001',
    previous_status: 'active',
    run_id: 'run_sample_1',
  },
  'admin-alert-reconciliation': { run_id: 'run_sample_1', provider: 'stripe', findings: 3, kinds: { stale_status: 2, email_mismatch: 1 } },
  'admin-alert-job-failure': { job: 'reconcile-stripe', job_id: 'job_sample_1', attempts: 5, error: 'Stripe answered 503 five times' },
  'admin-alert-webhook-failed': { endpoint_id: '7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b', host: 'shop.example', event_id: 'evt_sample_1', type: 'entitlement.changed', attempts: 16, last_error: 'HTTP 500', disabled: true },
  'admin-monthly-report': report,
};

export function samplePayload(template: NoticeTemplate): unknown {
  return template in customerSamples ? customerSamples[template as keyof CustomerNoticePayloads] : adminSamples[template as keyof typeof adminSamples];
}

export const sampleLinks: NoticeLinks = {
  cancel: 'https://shop.example/c/Xk3p9QaZ',
  payment_method: 'https://shop.example/p/Xk3p9QaZ',
  portal: 'https://shop.example/m/Xk3p9QaZ',
  portal_entry: 'https://shop.example/portal/enter?token=Xk3p9QaZ',
};
