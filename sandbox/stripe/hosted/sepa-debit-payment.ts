import type Stripe from 'stripe';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createPaymentMethod } from '../payments/payment-methods.ts';
import type { StripeRuntime } from '../runtime.ts';
import type { MandateAcceptance } from '../payments/mandates.ts';
import { type Form, payForm, redirectTo } from './checkout-page.ts';
import { completeCheckout } from './complete-checkout.ts';

const IBAN_PATTERN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/** Who accepted a mandate on a hosted page: Stripe records the customer's IP address and browser. */
export function acceptanceOf(request: FastifyRequest): MandateAcceptance {
  return { ipAddress: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

/**
 * The customer entered an IBAN and accepted the mandate: a SEPA Direct Debit payment method and
 * its mandate, then the session completes (a first payment stays processing until the debit settles).
 */
export function payBySepaDebit(rt: StripeRuntime, session: Stripe.Checkout.Session, request: FastifyRequest<{ Body: Form }>, reply: FastifyReply, afterAction: () => void): FastifyReply {
  const form = request.body ?? {};
  const iban = (form.iban ?? '').replace(/\s+/g, '').toUpperCase();
  if (!IBAN_PATTERN.test(iban)) return reply.status(400).type('text/html').send(payForm(rt, session, 'Your IBAN is incomplete or invalid.'));
  const name = form.account_holder?.trim() || undefined;
  const email = form.email || session.customer_email || undefined;
  const paymentMethod = createPaymentMethod(rt, 'sepa_debit', { sepa_debit: { iban }, billing_details: { ...(name ? { name } : {}), ...(email ? { email } : {}) } });
  const outcome = completeCheckout(rt, session, { paymentMethod, email: form.email || undefined, name, consent: { acceptance: acceptanceOf(request), debitIban: null, locale: session.locale } });
  afterAction();
  if (outcome.kind === 'declined') return reply.status(402).type('text/html').send(payForm(rt, session, outcome.error.message));
  return redirectTo(reply, session.success_url, session, 'Payment complete');
}
