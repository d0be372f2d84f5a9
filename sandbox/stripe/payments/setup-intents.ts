import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { newId, randomBase62 } from '../state/ids.ts';

export type CompletedSetup = {
  customer: string;
  /** The method the customer set up on the page (iDEAL, Bancontact, or the SEPA Direct Debit itself). */
  paymentMethod: Stripe.PaymentMethod;
  /** The mandate later debits are made under (of the generated SEPA Direct Debit for a bank redirect). */
  mandate: Stripe.Mandate;
  /** `payment_method_details[type]` of the attempt. */
  details: Record<string, unknown>;
};

/**
 * A SetupIntent that succeeded on a hosted page (Checkout saving a payment method for a trial),
 * with its one SetupAttempt. Only the sandbox makes them: there is no API to create or confirm one.
 */
export function recordSucceededSetup(rt: StripeRuntime, setup: CompletedSetup): { setupIntent: Stripe.SetupIntent; attempt: Stripe.SetupAttempt } {
  const now = rt.time.nowFor(setup.customer);
  const id = newId('seti');
  const attempt = rt.state.setupAttempts.add({
    id: newId('setatt'),
    object: 'setup_attempt',
    application: null,
    created: now,
    customer: setup.customer,
    customer_account: null,
    flow_directions: null,
    livemode: false,
    on_behalf_of: null,
    payment_method: setup.paymentMethod.id,
    payment_method_details: { [setup.paymentMethod.type]: setup.details, type: setup.paymentMethod.type } as Stripe.SetupAttempt.PaymentMethodDetails,
    setup_error: null,
    setup_intent: id,
    status: 'succeeded',
    usage: 'off_session',
  });
  const setupIntent = rt.state.setupIntents.add({
    id,
    object: 'setup_intent',
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: `${id}_secret_${randomBase62(32)}`,
    created: now,
    customer: setup.customer,
    description: null,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: {},
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: [setup.paymentMethod.type],
    single_use_mandate: null,
    status: 'requires_payment_method',
    usage: 'off_session',
  } as unknown as Stripe.SetupIntent);
  rt.events.record('setup_intent.created', setupIntent);
  Object.assign(setupIntent, { latest_attempt: attempt.id, mandate: setup.mandate.id, payment_method: setup.paymentMethod.id, status: 'succeeded' });
  rt.events.record('setup_intent.succeeded', setupIntent);
  return { setupIntent, attempt };
}
