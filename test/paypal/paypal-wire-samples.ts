/**
 * PayPal objects in PayPal's wire format (field names and shapes from PayPal's OpenAPI
 * specifications under ../shared/reference/paypal/), as the API answers them.
 */
export const activeSubscription = {
  id: 'I-BW452GLLEP1G',
  plan_id: 'P-5ML4271244454362WXNWU5NQ',
  start_time: '2026-05-02T10:00:00Z',
  quantity: '1',
  custom_id: 'cus_01JZ8Y',
  status: 'ACTIVE',
  status_update_time: '2026-05-02T10:00:05Z',
  subscriber: { payer_id: '2J6QB8YJQSJRJ', email_address: 'jan@example.nl', name: { given_name: 'Jan', surname: 'Jansen' } },
  billing_info: {
    outstanding_balance: { currency_code: 'EUR', value: '0.00' },
    cycle_executions: [
      { tenure_type: 'TRIAL', sequence: 1, cycles_completed: 1, cycles_remaining: 0, current_pricing_scheme_version: 1, total_cycles: 1 },
      { tenure_type: 'REGULAR', sequence: 2, cycles_completed: 1, cycles_remaining: 0, current_pricing_scheme_version: 1, total_cycles: 0 },
    ],
    last_payment: { amount: { currency_code: 'EUR', value: '29.99' }, time: '2026-06-01T10:00:12Z' },
    next_billing_time: '2026-07-01T10:00:00Z',
    failed_payments_count: 0,
  },
  create_time: '2026-05-02T09:59:40Z',
  update_time: '2026-06-01T10:00:13Z',
  links: [{ href: 'https://api-m.paypal.com/v1/billing/subscriptions/I-BW452GLLEP1G', rel: 'self', method: 'GET' }],
};

/** Inside its 30-day trial: no payment yet, the first charge at the trial's end. */
export const trialingSubscription = {
  ...activeSubscription,
  id: 'I-TRIAL0000001',
  start_time: '2026-06-01T10:00:00Z',
  billing_info: {
    outstanding_balance: { currency_code: 'EUR', value: '0.00' },
    cycle_executions: [
      { tenure_type: 'TRIAL', sequence: 1, cycles_completed: 0, cycles_remaining: 1, current_pricing_scheme_version: 1, total_cycles: 1 },
      { tenure_type: 'REGULAR', sequence: 2, cycles_completed: 0, cycles_remaining: 0, current_pricing_scheme_version: 1, total_cycles: 0 },
    ],
    next_billing_time: '2026-07-01T10:00:00Z',
    failed_payments_count: 0,
  },
};

export const completedCapture = {
  id: '2GG279541U471931P',
  status: 'COMPLETED',
  amount: { currency_code: 'EUR', value: '299.90' },
  final_capture: true,
  seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
  seller_receivable_breakdown: { gross_amount: { currency_code: 'EUR', value: '299.90' }, paypal_fee: { currency_code: 'EUR', value: '10.55' }, net_amount: { currency_code: 'EUR', value: '289.35' } },
  custom_id: 'cus_01JZ8Y',
  create_time: '2026-06-01T10:02:00Z',
  update_time: '2026-06-01T10:02:01Z',
  links: [{ href: 'https://api-m.paypal.com/v2/payments/captures/2GG279541U471931P', rel: 'self', method: 'GET' }],
};

export const capturedOrder = {
  id: '5O190127TN364715T',
  intent: 'CAPTURE',
  status: 'COMPLETED',
  payer: { payer_id: '2J6QB8YJQSJRJ', email_address: 'jan@example.nl', name: { given_name: 'Jan', surname: 'Jansen' } },
  purchase_units: [
    {
      reference_id: 'default',
      custom_id: 'cus_01JZ8Y',
      amount: { currency_code: 'EUR', value: '299.90' },
      payments: { captures: [completedCapture] },
    },
  ],
  create_time: '2026-06-01T10:00:00Z',
  update_time: '2026-06-01T10:02:01Z',
  links: [{ href: 'https://api-m.paypal.com/v2/checkout/orders/5O190127TN364715T', rel: 'self', method: 'GET' }],
};

export const resolvedDispute = {
  dispute_id: 'PP-D-27803',
  create_time: '2026-06-03T08:00:00.000Z',
  update_time: '2026-06-20T08:00:00.000Z',
  disputed_transactions: [{ seller_transaction_id: '2GG279541U471931P', buyer_transaction_id: '9W240912HL3046412', create_time: '2026-06-01T10:02:00.000Z', transaction_status: 'COMPLETED', gross_amount: { currency_code: 'EUR', value: '299.90' }, custom: 'cus_01JZ8Y' }],
  reason: 'UNAUTHORISED',
  status: 'RESOLVED',
  dispute_amount: { currency_code: 'EUR', value: '299.90' },
  dispute_outcome: { outcome_code: 'RESOLVED_BUYER_FAVOUR', amount_refunded: { currency_code: 'EUR', value: '299.90' } },
  dispute_life_cycle_stage: 'CHARGEBACK',
  dispute_channel: 'EXTERNAL',
  seller_response_due_date: '2026-06-13T08:00:00.000Z',
  links: [{ href: 'https://api-m.paypal.com/v1/customer/disputes/PP-D-27803', rel: 'self', method: 'GET' }],
};

export const subscriptionTransactions = {
  transactions: [
    {
      status: 'COMPLETED',
      id: '80021663DE681814L',
      amount_with_breakdown: { gross_amount: { currency_code: 'EUR', value: '29.99' }, fee_amount: { currency_code: 'EUR', value: '1.22' }, net_amount: { currency_code: 'EUR', value: '28.77' } },
      payer_name: { given_name: 'Jan', surname: 'Jansen' },
      payer_email: 'jan@example.nl',
      time: '2026-06-01T10:00:12Z',
    },
  ],
};
