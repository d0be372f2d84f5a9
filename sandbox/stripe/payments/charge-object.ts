import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { newId, randomBase62 } from '../state/ids.ts';
import { isBankRedirect } from './bank-redirects.ts';
import { mandateOf } from './mandates.ts';
import type { Decline } from './test-cards.ts';

/** `redirectDetails`: what the bank reported for an iDEAL or Bancontact payment (`bankRedirectDetails`). */
export type ChargeResult = { status: 'succeeded' | 'pending' | 'failed'; captured: boolean; decline?: Decline; redirectDetails?: Record<string, unknown> | undefined };

function methodDetails(rt: StripeRuntime, paymentMethod: Stripe.PaymentMethod, amount: number, result: ChargeResult): Stripe.Charge.PaymentMethodDetails {
  if (paymentMethod.type === 'card' && paymentMethod.card) {
    const card = paymentMethod.card;
    return {
      card: {
        amount_authorized: amount,
        authorization_code: String(100000 + (amount % 900000)),
        brand: card.brand,
        checks: card.checks,
        country: card.country,
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        extended_authorization: { status: 'disabled' },
        fingerprint: card.fingerprint,
        funding: card.funding,
        incremental_authorization: { status: 'unavailable' },
        installments: null,
        last4: card.last4,
        mandate: null,
        multicapture: { status: 'unavailable' },
        network: card.brand,
        network_token: { used: false },
        network_transaction_id: randomBase62(15),
        overcapture: { maximum_amount_capturable: amount, status: 'unavailable' },
        regulated_status: 'unregulated',
        three_d_secure: null,
        wallet: null,
      },
      type: 'card',
    } as unknown as Stripe.Charge.PaymentMethodDetails;
  }
  if (paymentMethod.type === 'sepa_debit' && paymentMethod.sepa_debit) {
    const { bank_code, branch_code, country, fingerprint, last4 } = paymentMethod.sepa_debit;
    return { sepa_debit: { bank_code, branch_code, country, fingerprint, last4, mandate: mandateOf(rt, paymentMethod.id)?.id ?? null }, type: 'sepa_debit' } as Stripe.Charge.PaymentMethodDetails;
  }
  if (isBankRedirect(paymentMethod.type)) {
    // Only iDEAL reports the bank's transaction id on the charge.
    const transaction = paymentMethod.type === 'ideal' ? { transaction_id: randomBase62(16).toUpperCase() } : {};
    return { [paymentMethod.type]: { ...result.redirectDetails, ...transaction }, type: paymentMethod.type } as unknown as Stripe.Charge.PaymentMethodDetails;
  }
  return { [paymentMethod.type]: {}, type: paymentMethod.type } as unknown as Stripe.Charge.PaymentMethodDetails;
}

function outcome(result: ChargeResult): Stripe.Charge.Outcome {
  const base = { advice_code: null, network_advice_code: null, network_decline_code: null, risk_level: 'normal', risk_score: 20, rule: undefined };
  if (result.status === 'failed') {
    return {
      ...base,
      network_status: 'declined_by_network',
      reason: result.decline?.declineCode ?? result.decline?.code ?? 'generic_decline',
      seller_message: 'The bank did not return any further details with this decline.',
      type: 'issuer_declined',
    } as Stripe.Charge.Outcome;
  }
  return { ...base, network_status: 'approved_by_network', reason: null, seller_message: 'Payment complete.', type: 'authorized' } as Stripe.Charge.Outcome;
}

/** The charge a payment attempt leaves behind, succeeded, pending (SEPA) or failed. */
export function buildCharge(rt: StripeRuntime, intent: Stripe.PaymentIntent, paymentMethod: Stripe.PaymentMethod, result: ChargeResult): Stripe.Charge {
  const id = newId('ch');
  const customer = typeof intent.customer === 'string' ? intent.customer : null;
  const paid = result.status === 'succeeded';
  return {
    id,
    object: 'charge',
    amount: intent.amount,
    amount_captured: paid && result.captured ? intent.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: result.status === 'failed' ? null : newId('txn'),
    billing_details: { ...paymentMethod.billing_details, tax_id: null } as Stripe.Charge.BillingDetails,
    calculated_statement_descriptor: 'RECUR SANDBOX',
    captured: paid && result.captured,
    created: rt.time.nowFor(customer),
    currency: intent.currency,
    customer,
    description: intent.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: result.decline?.code ?? null,
    failure_message: result.decline?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...intent.metadata },
    on_behalf_of: null,
    outcome: outcome(result),
    paid,
    payment_intent: intent.id,
    payment_method: paymentMethod.id,
    payment_method_details: methodDetails(rt, paymentMethod, intent.amount, result),
    receipt_email: intent.receipt_email,
    receipt_number: null,
    receipt_url: paid ? `${rt.sandbox.baseUrl()}/stripe/receipts/${id}` : null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: intent.shipping,
    source: null,
    source_transfer: null,
    statement_descriptor: intent.statement_descriptor,
    statement_descriptor_suffix: intent.statement_descriptor_suffix,
    status: result.status,
    transfer_data: null,
    transfer_group: intent.transfer_group,
  };
}
