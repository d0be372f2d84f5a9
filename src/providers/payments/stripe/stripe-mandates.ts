import type Stripe from 'stripe';
import { retrieveOrNull } from './stripe-errors.ts';

const idOf = (value: string | { id: string } | null | undefined): string | null => (value == null ? null : typeof value === 'string' ? value : value.id);

/** The reference a SEPA mandate has at the bank (the one pre-notifications and bank statements show); null when Stripe has none. */
export async function readMandateReference(stripe: Stripe, mandateId: string | null): Promise<string | null> {
  if (!mandateId) return null;
  const mandate = await retrieveOrNull(`reading mandate ${mandateId}`, () => stripe.mandates.retrieve(mandateId));
  return mandate?.payment_method_details.sepa_debit?.reference ?? null;
}

/**
 * The SEPA mandate a checkout without a payment (a trial) set up, from its SetupIntent retrieved
 * with `latest_attempt`: the SetupIntent's own mandate (a SEPA debit entered at checkout) or the
 * one a bank's approval (iDEAL, Bancontact) generated for the debits to come.
 */
export function mandateOfSetupIntent(setupIntent: Stripe.SetupIntent | null): string | null {
  if (!setupIntent) return null;
  const attempt = typeof setupIntent.latest_attempt === 'object' ? setupIntent.latest_attempt : null;
  const details = attempt?.payment_method_details;
  return idOf(setupIntent.mandate ?? details?.ideal?.generated_sepa_debit_mandate ?? details?.bancontact?.generated_sepa_debit_mandate ?? null);
}
