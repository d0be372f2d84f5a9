import type Stripe from 'stripe';
import { retrieveOrNull } from './stripe-errors.ts';
import { idOf, mandateOfCharge } from './stripe-mappers.ts';


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

/**
 * The SEPA mandate a subscription's debits are taken under, from its default payment method
 * (retrieved with `expand: ['default_payment_method']`): null when that is no debit (a card), so
 * a customer who moved to a card keeps no old mandate; undefined when Stripe's answer does not say
 * (no method of its own, or none that names its mandate: the debit's own events name it then). A method a bank payment (iDEAL, Bancontact) generated
 * names the charge that made it; one set up at a trial's checkout is found through that
 * checkout's SetupIntent. Only a subscription paid by debit costs these reads.
 */
export async function readSubscriptionMandate(stripe: Stripe, subscription: Stripe.Subscription): Promise<string | null | undefined> {
  const method = subscription.default_payment_method;
  // None of its own: the customer's default pays, which the debits' own events name.
  if (method === null || typeof method !== 'object') return undefined;
  if (method.type !== 'sepa_debit') return null;
  const chargeId = idOf(method.sepa_debit?.generated_from?.charge ?? null);
  if (chargeId) {
    const charge = await retrieveOrNull(`reading charge ${chargeId}`, () => stripe.charges.retrieve(chargeId));
    return (await readMandateReference(stripe, mandateOfCharge(charge))) ?? undefined;
  }
  const sessions = await retrieveOrNull(`listing the checkout of subscription ${subscription.id}`, () =>
    stripe.checkout.sessions.list({ subscription: subscription.id, limit: 1, expand: ['data.setup_intent.latest_attempt'] }),
  );
  const session = sessions?.data[0];
  const fromSetup = mandateOfSetupIntent(session && typeof session.setup_intent === 'object' ? session.setup_intent : null);
  return fromSetup ? ((await readMandateReference(stripe, fromSetup)) ?? undefined) : undefined;
}
