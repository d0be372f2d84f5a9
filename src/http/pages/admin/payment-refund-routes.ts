import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDecimalAmount, parseDecimalAmount } from '../../../domain/decimal-amount.ts';
import { readRefund, readRefundablePayment } from '../../../services/refunds/read-refund-form.ts';
import { refundPayment } from '../../../services/refunds/refund-payment.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import { toHttpError } from '../../error-handler.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { formatMoney } from './admin-format.ts';
import { adminNav } from './admin-nav.ts';
import { sendAdminMessage, sendAdminPage } from './admin-page.ts';
import { formField } from './form-field.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NONCE = /^[0-9a-f-]{36}$/i;
const REASON_MAX = 500;

type RefundForm = { amount: string; reason: string; nonce: string };

/**
 * A payment's "Refund" (from the customer's page): a confirmation page with the amount (all that
 * is left, to change for a partial refund) and the reason, then one POST. The form carries a nonce
 * made when the page was shown; it is the refund's request key, so a double click or a resent form
 * refunds once at the provider. The page after it shows the provider's answer.
 */
export function paymentRefundRoutes(admin: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  const noSuchPayment = (reply: FastifyReply, id: string) =>
    sendAdminMessage(reply, renderer, 404, { heading: 'No such payment', paragraphs: [`recur holds no payment with the id "${id}".`], action: { href: '/admin/customers', label: 'Search customers' } });

  const showForm = async (request: FastifyRequest, reply: FastifyReply, paymentId: string, status: number, form: RefundForm | null, error: string | null) => {
    const found = UUID.test(paymentId) ? await readRefundablePayment(ctx, paymentId) : null;
    if (!found) return noSuchPayment(reply, paymentId);
    const { payment, leftMinor } = found;
    const customerUrl = `/admin/customers/${encodeURIComponent(payment.customerExternalId)}`;
    if (leftMinor === 0 && !error) {
      return sendAdminMessage(reply, renderer, 409, {
        heading: 'Nothing to refund',
        paragraphs: [`This payment is ${payment.status.replace('_', ' ')}; ${formatMoney(payment.amountRefundedMinor, payment.currency)} of ${formatMoney(payment.amountMinor, payment.currency)} is refunded, and nothing more can be.`],
        action: { href: customerUrl, label: 'Back to the customer' },
      });
    }
    return sendAdminPage(reply, renderer, status, 'admin/refund', 'Refund a payment', {
      nav: adminNav(request, 'customers'),
      payment,
      customerUrl,
      left: formatMoney(leftMinor, payment.currency),
      form: form ?? { amount: formatDecimalAmount(leftMinor, payment.currency), reason: '', nonce: randomUUID() },
      error,
      reasonMax: REASON_MAX,
    });
  };

  admin.get('/payments/:id/refund', { schema: { hide: true } }, async (request, reply) => showForm(request, reply, (request.params as { id: string }).id, 200, null, null));

  admin.post('/payments/:id/refund', { schema: { hide: true } }, async (request, reply) => {
    const paymentId = (request.params as { id: string }).id;
    const form: RefundForm = { amount: formField(request.body, 'amount') ?? '', reason: (formField(request.body, 'reason') ?? '').trim(), nonce: formField(request.body, 'nonce') ?? '' };
    const found = UUID.test(paymentId) ? await readRefundablePayment(ctx, paymentId) : null;
    if (!found) return noSuchPayment(reply, paymentId);
    if (!NONCE.test(form.nonce)) return showForm(request, reply, paymentId, 400, { ...form, nonce: randomUUID() }, 'The form was incomplete; check the amount and the reason and confirm again.');
    const amountMinor = parseDecimalAmount(form.amount, found.payment.currency);
    if (amountMinor === null) return showForm(request, reply, paymentId, 400, form, `Enter the amount in ${found.payment.currency}, for example ${formatDecimalAmount(found.leftMinor, found.payment.currency)}.`);
    if (!form.reason || form.reason.length > REASON_MAX) return showForm(request, reply, paymentId, 400, form, `Say why the payment is refunded (at most ${REASON_MAX} characters).`);
    try {
      const { refund } = await refundPayment(ctx, { paymentId, amountMinor, reason: form.reason, requestKey: `admin:${form.nonce}` }, request.adminSession!.actor);
      return reply.redirect(`/admin/refunds/${refund.id}`, 303);
    } catch (error) {
      const { status, message } = toHttpError(error as Error);
      if (status >= 500) {
        request.log.error({ err: error }, 'refund failed');
        return sendAdminMessage(reply, renderer, status, { heading: 'The refund could not be made now', paragraphs: [message, 'Sending the same form again asks the provider again, once.'], action: null });
      }
      // This form's nonce made a refund of another amount already: a new form is a new refund, deliberately.
      return showForm(request, reply, paymentId, status, status === 409 ? { ...form, nonce: randomUUID() } : form, message);
    }
  });

  admin.get('/refunds/:id', { schema: { hide: true } }, async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const found = UUID.test(id) ? await readRefund(ctx, id) : null;
    if (!found) return sendAdminMessage(reply, renderer, 404, { heading: 'No such refund', paragraphs: [`recur holds no refund with the id "${id}".`], action: { href: '/admin/customers', label: 'Search customers' } });
    return sendAdminPage(reply, renderer, 200, 'admin/refunded', 'Refund', {
      nav: adminNav(request, 'customers'),
      ...found,
      customerUrl: `/admin/customers/${encodeURIComponent(found.payment.customerExternalId)}`,
    });
  });
}
