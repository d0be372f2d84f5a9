import type Stripe from 'stripe';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { resolvePaymentMethod, testCardOf } from '../payments/payment-methods.ts';
import { HOSTED_PAGE_CARDS } from '../payments/test-cards.ts';
import type { StripeRuntime } from '../runtime.ts';
import { BANK_DECLINED, BANK_DECLINED_MESSAGE, bankPageUrl } from './bank-page.ts';
import { completeCheckout } from './complete-checkout.ts';
import { escapeHtml, formatAmount, page } from './html.ts';
import { chosenMethod, paymentChoices } from './payment-choices.ts';
import { payBySepaDebit } from './sepa-debit-payment.ts';

export type Form = Record<string, string | undefined>;

/** As Stripe's page: what the customer pays now, which a trial makes zero. */
export function dueToday(rt: StripeRuntime, session: Stripe.Checkout.Session): number {
  const plan = rt.state.checkoutPlans.get(session.id);
  const trial = plan?.subscriptionData.trialPeriodDays || plan?.subscriptionData.trialEnd;
  return session.mode === 'subscription' && trial ? 0 : (session.amount_total ?? 0);
}

function summary(rt: StripeRuntime, session: Stripe.Checkout.Session): string {
  const plan = rt.state.checkoutPlans.get(session.id);
  const rows = (plan?.lineItems ?? [])
    .map((item) => `<tr><td>${escapeHtml(item.quantity)} × ${escapeHtml(item.description)}${item.price?.recurring ? ` / ${escapeHtml(item.price.recurring.interval)}` : ''}</td><td class="amount">${formatAmount(item.amount_total, item.currency)}</td></tr>`)
    .join('');
  const trialDays = plan?.subscriptionData.trialPeriodDays;
  const trialEnd = plan?.subscriptionData.trialEnd;
  const trial = trialDays
    ? `<p>Free trial: ${escapeHtml(trialDays)} days, nothing is charged today.</p>`
    : trialEnd
      ? `<p>Trial until ${escapeHtml(new Date(trialEnd * 1000).toISOString().slice(0, 10))}, nothing is charged today.</p>`
      : '';
  return `<table>${rows}<tr><td><strong>Total</strong></td><td class="amount"><strong>${formatAmount(session.amount_total, session.currency)}</strong></td></tr>
<tr><td><strong>Total due today</strong></td><td class="amount" id="due-today"><strong>${formatAmount(dueToday(rt, session), session.currency)}</strong></td></tr></table>${trial}`;
}

export function payForm(rt: StripeRuntime, session: Stripe.Checkout.Session, error?: string): string {
  const email = session.customer || session.customer_email ? '' : '<label>E-mail <input type="email" name="email" required value="customer@example.com"></label>';
  const submitText = session.custom_text?.submit?.message ? `<p class="custom-text" id="submit-text">${escapeHtml(session.custom_text.submit.message)}</p>` : '';
  const afterSubmitText = session.custom_text?.after_submit?.message ? `<p class="custom-text">${escapeHtml(session.custom_text.after_submit.message)}</p>` : '';
  return page(
    session.mode === 'subscription' ? 'Subscribe' : 'Pay',
    `${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}${summary(rt, session)}
<form method="post">${email}${paymentChoices(session)}${submitText}
<button type="submit" name="action" value="pay">${session.mode === 'subscription' ? 'Subscribe' : 'Pay'}</button>
<button class="secondary" type="submit" name="action" value="cancel" formnovalidate>Cancel</button></form>${afterSubmitText}`,
  );
}

function authenticationForm(card: string, email: string | undefined): string {
  return page(
    '3D Secure authentication',
    `<p>Your bank asks you to confirm this payment.</p><form method="post">
<input type="hidden" name="card" value="${escapeHtml(card)}"><input type="hidden" name="email" value="${escapeHtml(email ?? '')}">
<button type="submit" name="action" value="authenticated">Complete authentication</button>
<button class="secondary" type="submit" name="action" value="authentication_failed">Fail authentication</button></form>`,
  );
}

export function redirectTo(reply: FastifyReply, url: string | null, session: Stripe.Checkout.Session, fallbackTitle: string): FastifyReply {
  if (url) return reply.status(303).header('location', url.replaceAll('{CHECKOUT_SESSION_ID}', session.id)).send();
  return reply.type('text/html').send(page(fallbackTitle, '<p>You can close this page.</p>'));
}

/** GET/POST /stripe/checkout/:id: the page a person pays on; it completes the session as Checkout does. */
export function registerCheckoutPage(scope: FastifyInstance, rt: StripeRuntime, afterAction: () => void): void {
  scope.get<{ Params: { id: string }; Querystring: { error?: string } }>('/stripe/checkout/:id', async (request, reply) => {
    const session = rt.state.checkoutSessions.get(request.params.id);
    if (!session) return reply.status(404).type('text/html').send(page('Not found', '<p>No such Checkout Session.</p>'));
    if (session.status !== 'open') return reply.type('text/html').send(page('Checkout', `<p>This Checkout Session is ${escapeHtml(session.status)}.</p>`));
    return reply.type('text/html').send(payForm(rt, session, request.query.error === BANK_DECLINED ? BANK_DECLINED_MESSAGE : undefined));
  });

  scope.post<{ Params: { id: string }; Body: Form }>('/stripe/checkout/:id', async (request, reply) => {
    const session = rt.state.checkoutSessions.get(request.params.id);
    if (!session || session.status !== 'open') return reply.status(404).type('text/html').send(page('Checkout', '<p>This Checkout Session is not open.</p>'));
    const form = request.body ?? {};
    if (form.action === 'cancel') return redirectTo(reply, session.cancel_url, session, 'Checkout canceled');
    const method = chosenMethod(session, form.method);
    if (!method) return reply.status(400).type('text/html').send(payForm(rt, session, 'Pick one of the payment methods.'));
    if (method === 'ideal' || method === 'bancontact') return reply.status(303).header('location', bankPageUrl(rt, session, method, form)).send();
    if (method === 'sepa_debit') return payBySepaDebit(rt, session, request, reply, afterAction);
    const token = HOSTED_PAGE_CARDS.find((card) => card.token === form.card)?.token;
    if (!token) return reply.status(400).type('text/html').send(payForm(rt, session, 'Pick one of the test cards.'));
    if (form.action === 'authentication_failed') {
      return reply.status(402).type('text/html').send(payForm(rt, session, 'We are unable to authenticate your payment method. Please choose a different payment method and try again.'));
    }
    const paymentMethod = resolvePaymentMethod(rt, token, 'card');
    const authenticated = form.action === 'authenticated';
    if (!authenticated && testCardOf(paymentMethod)?.authentication === 'always') return reply.type('text/html').send(authenticationForm(token, form.email));
    const outcome = completeCheckout(rt, session, { paymentMethod, email: form.email || undefined, authenticated });
    afterAction();
    if (outcome.kind === 'declined') return reply.status(402).type('text/html').send(payForm(rt, session, outcome.error.message));
    if (outcome.kind === 'requires_action') return reply.type('text/html').send(authenticationForm(token, form.email));
    return redirectTo(reply, session.success_url, session, 'Payment complete');
  });
}
