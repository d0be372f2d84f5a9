import type { FastifyInstance } from 'fastify';
import { confirmPaymentIntent, failAuthentication } from '../payments/payment-intents.ts';
import type { StripeRuntime } from '../runtime.ts';
import { registerBankPage } from './bank-page.ts';
import { registerCheckoutPage } from './checkout-page.ts';
import { escapeHtml, formatAmount, page } from './html.ts';
import { registerInvoicePage } from './invoice-page.ts';
import { registerMandatePage } from './mandate-page.ts';
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
      failAuthentication(rt, intent);
    }
    afterAction();
    if (returnUrl) return reply.status(303).header('location', `${returnUrl}${returnUrl.includes('?') ? '&' : '?'}payment_intent=${intent.id}`).send();
    return reply.type('text/html').send(page('Authentication', `<p>Payment ${escapeHtml(intent.status)}.</p>`));
  });
}

/** Receipt links that charges carry (receipt_url). */
function registerReceiptPage(scope: FastifyInstance, rt: StripeRuntime): void {
  scope.get<{ Params: { id: string } }>('/stripe/receipts/:id', async (request, reply) => {
    const charge = rt.state.charges.get(request.params.id);
    if (!charge) return reply.status(404).type('text/html').send(page('Not found', '<p>No such receipt.</p>'));
    return reply.type('text/html').send(page('Receipt', `<p>${formatAmount(charge.amount, charge.currency)} paid on ${new Date(charge.created * 1000).toISOString().slice(0, 10)}.</p>${charge.amount_refunded ? `<p>Refunded: ${formatAmount(charge.amount_refunded, charge.currency)}</p>` : ''}`));
  });
}

export function registerHostedPages(scope: FastifyInstance, rt: StripeRuntime, afterAction: () => void): void {
  registerCheckoutPage(scope, rt, afterAction);
  registerBankPage(scope, rt, afterAction);
  registerMandatePage(scope, rt);
  registerPortalPage(scope, rt, afterAction);
  registerAuthenticatePage(scope, rt, afterAction);
  registerReceiptPage(scope, rt);
  registerInvoicePage(scope, rt, afterAction);
}
