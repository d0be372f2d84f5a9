import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { newId, randomBase62 } from '../state/ids.ts';

/** Who accepted the mandate, as the hosted page saw them. */
export type MandateAcceptance = { ipAddress: string | null; userAgent: string | null };

/** Stripe's SEPA mandate references are upper-case letters and digits the bank shows on the statement. */
function mandateReference(): string {
  return randomBase62(16).toUpperCase();
}

/**
 * A multi-use SEPA Direct Debit mandate for `paymentMethod`, accepted online on a hosted page:
 * what lets Stripe debit the account later without the customer (renewals).
 */
export function createMandate(rt: StripeRuntime, paymentMethod: Stripe.PaymentMethod, acceptance: MandateAcceptance): Stripe.Mandate {
  const id = newId('mandate');
  const customer = typeof paymentMethod.customer === 'string' ? paymentMethod.customer : null;
  return rt.state.mandates.add({
    id,
    object: 'mandate',
    customer_acceptance: { accepted_at: rt.time.nowFor(customer), online: { ip_address: acceptance.ipAddress, user_agent: acceptance.userAgent }, type: 'online' },
    livemode: false,
    multi_use: {},
    payment_method: paymentMethod.id,
    payment_method_details: { sepa_debit: { reference: mandateReference(), url: `${rt.sandbox.baseUrl()}/stripe/mandates/${id}` }, type: 'sepa_debit' },
    status: 'active',
    type: 'multi_use',
  });
}

/** The active mandate a SEPA debit of `paymentMethodId` is made under, if one was accepted. */
export function mandateOf(rt: StripeRuntime, paymentMethodId: string): Stripe.Mandate | undefined {
  return rt.state.mandates.filter((mandate) => mandate.payment_method === paymentMethodId && mandate.status === 'active').at(-1);
}
