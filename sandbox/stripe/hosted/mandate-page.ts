import type { FastifyInstance } from 'fastify';
import type { StripeRuntime } from '../runtime.ts';
import { escapeHtml, page } from './html.ts';

/** Stripe's SEPA Direct Debit mandate text, shown where the customer accepts it and on the mandate's page. */
export const SEPA_MANDATE_TEXT =
  'By providing your payment information and confirming this payment, you authorise (A) this business and Stripe, our payment service provider, to send instructions to your bank to debit your account and (B) your bank to debit your account in accordance with those instructions. As part of your rights, you are entitled to a refund from your bank under the terms and conditions of your agreement with your bank. A refund must be claimed within 8 weeks starting from the date on which your account was debited. Your rights are explained in a statement that you can obtain from your bank. You agree to receive notifications for future debits up to 2 days before they occur.';

/** GET /stripe/mandates/:id: the page a mandate's `payment_method_details.sepa_debit.url` points to. */
export function registerMandatePage(scope: FastifyInstance, rt: StripeRuntime): void {
  scope.get<{ Params: { id: string } }>('/stripe/mandates/:id', async (request, reply) => {
    const mandate = rt.state.mandates.get(request.params.id);
    if (!mandate) return reply.status(404).type('text/html').send(page('Not found', '<p>No such mandate.</p>'));
    const paymentMethod = rt.state.paymentMethods.get(String(mandate.payment_method));
    const acceptedAt = mandate.customer_acceptance.accepted_at;
    return reply.type('text/html').send(
      page(
        'SEPA Direct Debit mandate',
        `<table><tr><td>Mandate reference</td><td id="reference">${escapeHtml(mandate.payment_method_details.sepa_debit?.reference)}</td></tr>
<tr><td>Account</td><td>•••• ${escapeHtml(paymentMethod?.sepa_debit?.last4)}</td></tr>
<tr><td>Accepted</td><td>${acceptedAt ? escapeHtml(new Date(acceptedAt * 1000).toISOString().slice(0, 10)) : ''} (online)</td></tr>
<tr><td>Status</td><td>${escapeHtml(mandate.status)}</td></tr></table><p>${escapeHtml(SEPA_MANDATE_TEXT)}</p>`,
      ),
    );
  });
}
