import type Stripe from 'stripe';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { confirmPaymentIntent, failAuthentication } from '../payments/payment-intents.ts';
import type { StripeRuntime } from '../runtime.ts';
import type { StoredInvoice } from '../state/stripe-state.ts';
import { escapeHtml, formatAmount, page } from './html.ts';

/** The invoice's payment when it waits for the customer's 3D Secure challenge. */
function intentAwaitingAuthentication(rt: StripeRuntime, invoice: StoredInvoice): Stripe.PaymentIntent | null {
  if (invoice.status !== 'open') return null;
  const intentId = rt.state.invoiceIntents.get(invoice.id);
  const intent = intentId ? rt.state.paymentIntents.get(intentId) : undefined;
  return intent?.status === 'requires_action' ? intent : null;
}

function invoicePage(rt: StripeRuntime, invoice: StoredInvoice, notice?: string): string {
  const lines = invoice.lines.data.map((line) => `<tr><td>${escapeHtml(line.description)}</td><td class="amount">${formatAmount(line.amount, line.currency)}</td></tr>`).join('');
  const challenge = intentAwaitingAuthentication(rt, invoice)
    ? `<p id="authentication">Your bank asks you to confirm the payment of ${formatAmount(invoice.amount_remaining, invoice.currency)}.</p><form method="post">
<button type="submit" name="action" value="complete">Complete authentication</button>
<button class="secondary" type="submit" name="action" value="fail">Fail authentication</button></form>`
    : '';
  return page(
    `Invoice ${invoice.number ?? invoice.id}`,
    `${notice ? `<p class="error">${escapeHtml(notice)}</p>` : ''}<p>Status: <span id="status">${escapeHtml(invoice.status)}</span></p><table>${lines}<tr><td><strong>Total</strong></td><td class="amount">${formatAmount(invoice.total, invoice.currency)}</td></tr></table>${challenge}`,
  );
}

/**
 * Stripe's hosted invoice page (hosted_invoice_url, invoice_pdf): the invoice, and for a renewal
 * that needs 3D Secure the challenge, completed or failed by the test customer. Completing pays
 * the invoice through its payment intent; failing leaves it open for the next retry.
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
    const intent = intentAwaitingAuthentication(rt, invoice);
    if (!intent) return reply.status(409).type('text/html').send(invoicePage(rt, invoice, 'This invoice has no payment waiting for authentication.'));
    if (request.body?.action === 'complete') confirmPaymentIntent(rt, intent, { offSession: false, authenticated: true });
    else failAuthentication(rt, intent);
    afterAction();
    const failed = intent.status !== 'succeeded' ? 'We are unable to authenticate your payment method. The payment was not made.' : undefined;
    return reply.type('text/html').send(invoicePage(rt, invoice, failed));
  });
}
