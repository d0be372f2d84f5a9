import type { FastifyInstance, FastifyReply } from 'fastify';
import { confirmPaymentIntent } from '../payments/payment-intents.ts';
import type { StripeRuntime } from '../runtime.ts';
import { registerCheckoutPage } from './checkout-page.ts';
import { escapeHtml, formatAmount, page } from './html.ts';
import { registerPortalPage } from './portal-page.ts';

/** 3D Secure for a payment intent in requires_action (the page Stripe.js would open). */
function registerAuthenticatePage(scope: FastifyInstance, rt: StripeRuntime, afterAction: () => void): void {
  scope.get<{ Params: { id: string } }>('/stripe/authenticate/:id', async (request, reply) => {
    const intent = rt.state.paymentIntents.get(request.params.id);
    if (!intent || intent.status !== 'requires_action') return reply.status(404).type('text/html').send(page('Authentication', '<p>Nothing to authenticate.</p>'));
    return reply.type('text/html').send(
      page('3D Secure authentication', `<p>Confirm the payment of ${formatAmount(intent.amount, intent.currency)}.</p><form method="post">
<button type="submit" name="action" value="complete">Complete authentication</button>
<button class="secondary" type="submit" name="action" value="fail">Fail authentication</button></form>`),
    );
  });
  scope.post<{ Params: { id: string }; Body: Record<string, string | undefined> }>('/stripe/authenticate/:id', async (request, reply) => {
    const intent = rt.state.paymentIntents.get(request.params.id);
    if (!intent || intent.status !== 'requires_action') return reply.status(404).type('text/html').send(page('Authentication', '<p>Nothing to authenticate.</p>'));
    const returnUrl = intent.next_action?.redirect_to_url?.return_url ?? null;
    if (request.body?.action === 'complete') {
      confirmPaymentIntent(rt, intent, { offSession: false, authenticated: true });
    } else {
      intent.status = 'requires_payment_method';
      intent.next_action = null;
      intent.last_payment_error = { type: 'invalid_request_error', code: 'payment_intent_authentication_failure', message: 'The provided PaymentMethod has failed authentication.' } as never;
      rt.events.record('payment_intent.payment_failed', intent);
      for (const listener of rt.paymentIntentListeners) listener(intent);
    }
    afterAction();
    if (returnUrl) return reply.status(303).header('location', `${returnUrl}${returnUrl.includes('?') ? '&' : '?'}payment_intent=${intent.id}`).send();
    return reply.type('text/html').send(page('Authentication', `<p>Payment ${escapeHtml(intent.status)}.</p>`));
  });
}

/** Invoice and receipt links that objects carry (hosted_invoice_url, receipt_url). */
function registerDocumentPages(scope: FastifyInstance, rt: StripeRuntime): void {
  const showInvoice = async (request: { params: { id: string } }, reply: FastifyReply) => {
    const invoice = rt.state.invoices.get(request.params.id);
    if (!invoice) return reply.status(404).type('text/html').send(page('Not found', '<p>No such invoice.</p>'));
    const lines = invoice.lines.data.map((line) => `<tr><td>${escapeHtml(line.description)}</td><td class="amount">${formatAmount(line.amount, line.currency)}</td></tr>`).join('');
    return reply.type('text/html').send(page(`Invoice ${invoice.number ?? invoice.id}`, `<p>Status: ${escapeHtml(invoice.status)}</p><table>${lines}<tr><td><strong>Total</strong></td><td class="amount">${formatAmount(invoice.total, invoice.currency)}</td></tr></table>`));
  };
  scope.get<{ Params: { id: string } }>('/stripe/invoices/:id', showInvoice);
  scope.get<{ Params: { id: string } }>('/stripe/invoices/:id/pdf', showInvoice);
  scope.get<{ Params: { id: string } }>('/stripe/receipts/:id', async (request, reply) => {
    const charge = rt.state.charges.get(request.params.id);
    if (!charge) return reply.status(404).type('text/html').send(page('Not found', '<p>No such receipt.</p>'));
    return reply.type('text/html').send(page('Receipt', `<p>${formatAmount(charge.amount, charge.currency)} paid on ${new Date(charge.created * 1000).toISOString().slice(0, 10)}.</p>${charge.amount_refunded ? `<p>Refunded: ${formatAmount(charge.amount_refunded, charge.currency)}</p>` : ''}`));
  });
}

export function registerHostedPages(scope: FastifyInstance, rt: StripeRuntime, afterAction: () => void): void {
  registerCheckoutPage(scope, rt, afterAction);
  registerPortalPage(scope, rt, afterAction);
  registerAuthenticatePage(scope, rt, afterAction);
  registerDocumentPages(scope, rt);
}
