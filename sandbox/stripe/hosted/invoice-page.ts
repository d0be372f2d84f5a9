import type Stripe from 'stripe';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { saveDefaultAfterPayment } from '../billing/save-default-payment-method.ts';
import { confirmPaymentIntent, failAuthentication } from '../payments/payment-intents.ts';
import { attachPaymentMethod, resolvePaymentMethod } from '../payments/payment-methods.ts';
import { HOSTED_PAGE_CARDS } from '../payments/test-cards.ts';
import type { StripeRuntime } from '../runtime.ts';
import { subscriptionIdOf, type StoredInvoice } from '../state/stripe-state.ts';
import { escapeHtml, formatAmount, page } from './html.ts';

/** The open invoice's payment the customer can still make on the page: waiting for 3D Secure, or failed and open for another card. */
function payableIntent(rt: StripeRuntime, invoice: StoredInvoice): Stripe.PaymentIntent | null {
  if (invoice.status !== 'open') return null;
  const intentId = rt.state.invoiceIntents.get(invoice.id);
  const intent = intentId ? rt.state.paymentIntents.get(intentId) : undefined;
  return intent?.status === 'requires_action' || intent?.status === 'requires_payment_method' ? intent : null;
}

function invoicePage(rt: StripeRuntime, invoice: StoredInvoice, notice?: string): string {
  const lines = invoice.lines.data.map((line) => `<tr><td>${escapeHtml(line.description)}</td><td class="amount">${formatAmount(line.amount, line.currency)}</td></tr>`).join('');
  const intent = payableIntent(rt, invoice);
  const challenge =
    intent?.status === 'requires_action'
      ? `<p id="authentication">Your bank asks you to confirm the payment of ${formatAmount(invoice.amount_remaining, invoice.currency)}.</p><form method="post">
<button type="submit" name="action" value="complete">Complete authentication</button>
<button class="secondary" type="submit" name="action" value="fail">Fail authentication</button></form>`
      : '';
  const cards = HOSTED_PAGE_CARDS.map((card) => `<label><input type="radio" name="card" value="${escapeHtml(card.token)}" required> ${escapeHtml(card.label)}</label>`).join('');
  const anotherCard = intent ? `<form method="post" id="another-card"><fieldset><legend>Pay with another card</legend>${cards}</fieldset><button type="submit" name="action" value="pay">Pay ${formatAmount(invoice.amount_remaining, invoice.currency)}</button></form>` : '';
  return page(
    `Invoice ${invoice.number ?? invoice.id}`,
    `${notice ? `<p class="error">${escapeHtml(notice)}</p>` : ''}<p>Status: <span id="status">${escapeHtml(invoice.status)}</span></p><table>${lines}<tr><td><strong>Total</strong></td><td class="amount">${formatAmount(invoice.total, invoice.currency)}</td></tr></table>${challenge}${anotherCard}`,
  );
}

/**
 * The customer pays with a card picked on the page (present, so its 3D Secure is done here): the
 * card is saved to the customer, and it becomes the subscription's default only when the
 * subscription's `payment_settings.save_default_payment_method` is `on_subscription`.
 */
function payWithAnotherCard(rt: StripeRuntime, invoice: StoredInvoice, intent: Stripe.PaymentIntent, token: string): string | undefined {
  const customer = String(invoice.customer);
  const paymentMethod = attachPaymentMethod(rt, resolvePaymentMethod(rt, token, 'card'), customer);
  intent.payment_method = paymentMethod.id;
  const declined = confirmPaymentIntent(rt, intent, { offSession: false, authenticated: true });
  if (declined) return declined.message;
  const subscriptionId = subscriptionIdOf(invoice);
  const subscription = subscriptionId ? rt.state.subscriptions.get(subscriptionId) : undefined;
  if (subscription && intent.status === 'succeeded') saveDefaultAfterPayment(rt, subscription, paymentMethod.id);
  return undefined;
}

/**
 * Stripe's hosted invoice page (hosted_invoice_url, invoice_pdf): the invoice; for a renewal that
 * needs 3D Secure the challenge, completed or failed by the test customer; and for an open
 * invoice, paying it with another card. Completing pays the invoice through its payment intent;
 * failing leaves it open for the next retry.
 */
export function registerInvoicePage(scope: FastifyInstance, rt: StripeRuntime, afterAction: () => void): void {
  const showInvoice = async (request: { params: { id: string } }, reply: FastifyReply) => {
    const invoice = rt.state.invoices.get(request.params.id);
    if (!invoice) return reply.status(404).type('text/html').send(page('Not found', '<p>No such invoice.</p>'));
    return reply.type('text/html').send(invoicePage(rt, invoice));
  };
  scope.get<{ Params: { id: string } }>('/stripe/invoices/:id', showInvoice);
  scope.get<{ Params: { id: string } }>('/stripe/invoices/:id/pdf', showInvoice);
  scope.post<{ Params: { id: string }; Body: Record<string, string | undefined> }>('/stripe/invoices/:id', async (request, reply) => {
    const invoice = rt.state.invoices.get(request.params.id);
    if (!invoice) return reply.status(404).type('text/html').send(page('Not found', '<p>No such invoice.</p>'));
    const intent = payableIntent(rt, invoice);
    const action = request.body?.action;
    if (action === 'pay') {
      if (!intent) return reply.status(409).type('text/html').send(invoicePage(rt, invoice, 'This invoice has no payment to make.'));
      const token = HOSTED_PAGE_CARDS.find((card) => card.token === request.body?.card)?.token;
      if (!token) return reply.status(400).type('text/html').send(invoicePage(rt, invoice, 'Pick one of the test cards.'));
      const declined = payWithAnotherCard(rt, invoice, intent, token);
      afterAction();
      return reply.status(declined ? 402 : 200).type('text/html').send(invoicePage(rt, invoice, declined));
    }
    if (intent?.status !== 'requires_action') return reply.status(409).type('text/html').send(invoicePage(rt, invoice, 'This invoice has no payment waiting for authentication.'));
    if (action === 'complete') confirmPaymentIntent(rt, intent, { offSession: false, authenticated: true });
    else failAuthentication(rt, intent);
    afterAction();
    const failed = intent.status !== 'succeeded' ? 'We are unable to authenticate your payment method. The payment was not made.' : undefined;
    return reply.type('text/html').send(invoicePage(rt, invoice, failed));
  });
}
