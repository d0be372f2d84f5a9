import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PAYMENT_STATUSES, type ListedPayment } from '../../db/repositories/payment-repository.ts';
import { PROVIDER_IDS } from '../../domain/provider.ts';
import { listPayments } from '../../services/payments/list-payments.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { documented } from '../api-examples.ts';
import { listJson, listQuery, onePage, presentPage, toPageRequest } from '../list-page.ts';
import { customerJson, errorJson, presentCustomer, presentSubscription, subscriptionJson } from '../presenters.ts';
import { customersByExternalId, subscriptionsById } from '../../services/expansions/related-objects.ts';
import { expandParam, expansionsOf } from '../expand-param.ts';
import { externalIdParam } from './customer-routes.ts';
import { listRefundsOfPayments } from '../../services/refunds/list-refunds.ts';
import type { RefundRecord } from '../../db/repositories/refund-repository.ts';
import { presentRefund, refundJson } from './refund-json.ts';

const timestamp = z.iso.datetime();
const money = z.object({ amount_minor: z.number().int(), currency: z.string() });

/** A payment as the API shows it: what was asked, what was refunded, how it stands at the provider. */
export const paymentJson = z.object({
  id: z.uuid(),
  customer: z.string().describe("the shop's external customer id"),
  subscription_id: z.uuid().nullable().describe('null for a one-time (prepaid) payment'),
  provider: z.enum(PROVIDER_IDS),
  provider_payment_id: z.string(),
  kind: z.enum(['one_time', 'subscription']),
  amount: money,
  amount_refunded: money,
  status: z.enum(PAYMENT_STATUSES),
  method_summary: z.string().nullable().describe('e.g. "visa •••• 4242"'),
  method_type: z.string().nullable().describe("the provider's kind of payment method: card, sepa_debit, ideal, bancontact, paypal, ..."),
  mandate_reference: z.string().nullable().describe('a SEPA debit: the mandate it was taken under; iDEAL or Bancontact: the mandate it set up for the debits to come'),
  invoice_at: timestamp.nullable().describe("the time of the invoice or charge at the provider"),
  created_at: timestamp,
  updated_at: timestamp,
  refunds: z.array(refundJson).describe('the refunds of the payment, oldest first: those recur asked for and, for Stripe, those made at the provider (amount_refunded is what the provider has refunded)'),
});

export const paymentExample: z.output<typeof paymentJson> = {
  id: '9c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e8f',
  customer: 'shop-1042',
  subscription_id: '5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5',
  provider: 'stripe',
  provider_payment_id: 'pi_3QfA1b2C3d4E5f6G',
  kind: 'subscription',
  amount: { amount_minor: 2999, currency: 'EUR' },
  amount_refunded: { amount_minor: 0, currency: 'EUR' },
  status: 'succeeded',
  method_summary: 'visa •••• 4242',
  method_type: 'card',
  mandate_reference: null,
  invoice_at: '2026-03-31T10:00:00.000Z',
  created_at: '2026-03-31T10:00:04.000Z',
  updated_at: '2026-03-31T10:00:04.000Z',
  refunds: [],
};

export const presentPayment = (payment: ListedPayment, refunds: readonly RefundRecord[]): z.infer<typeof paymentJson> => ({
  id: payment.id,
  customer: payment.customerExternalId,
  subscription_id: payment.subscriptionId,
  provider: payment.provider,
  provider_payment_id: payment.providerPaymentId,
  kind: payment.kind,
  amount: { amount_minor: payment.amountMinor, currency: payment.currency },
  amount_refunded: { amount_minor: payment.amountRefundedMinor, currency: payment.currency },
  status: payment.status,
  method_summary: payment.methodSummary,
  method_type: payment.methodType,
  mandate_reference: payment.mandateReference,
  invoice_at: payment.invoiceAt?.toISOString() ?? null,
  created_at: payment.createdAt.toISOString(),
  updated_at: payment.updatedAt.toISOString(),
  refunds: refunds.map(presentRefund),
});

const paymentListQuery = listQuery(z.uuid(), {
  customer: externalIdParam.shape.id.optional().describe("only this customer's (the shop's id)"),
  subscription_id: z.uuid().optional(),
  status: z.enum(PAYMENT_STATUSES).optional(),
  expand: expandParam(['customer', 'subscription']),
});

const expandedPaymentJson = paymentJson.extend({
  customer: z.union([z.string(), customerJson]).describe("the shop's external customer id; with expand=customer, the customer"),
  subscription: subscriptionJson.nullable().optional().describe('with expand=subscription: the subscription it paid for (null for a one-time payment); absent without'),
});

/** The payments as the API shows them, with their customer and subscription whole when asked. */
async function presentExpanded(ctx: ServiceContext, payments: readonly ListedPayment[], expand: ReadonlySet<'customer' | 'subscription'>) {
  const customers = expand.has('customer') ? await customersByExternalId(ctx, payments.map((payment) => payment.customerExternalId)) : null;
  const subscriptions = expand.has('subscription') ? await subscriptionsById(ctx, payments.map((payment) => payment.subscriptionId)) : null;
  const refunds = await listRefundsOfPayments(ctx, payments.map((payment) => payment.id));
  return (payment: ListedPayment): z.infer<typeof expandedPaymentJson> => {
    const shown: z.infer<typeof expandedPaymentJson> = presentPayment(payment, refunds.get(payment.id) ?? []);
    const customer = customers?.get(payment.customerExternalId);
    if (customer) shown.customer = presentCustomer(customer);
    if (subscriptions) {
      const subscription = payment.subscriptionId ? subscriptions.get(payment.subscriptionId) : undefined;
      shown.subscription = subscription ? presentSubscription(subscription) : null;
    }
    return shown;
  };
}

/** `GET /v1/payments`: what the providers charged, as recur recorded it. */
export function paymentRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/payments',
    {
      schema: {
        tags: ['payments'],
        summary: "List payments, newest first, all or a customer's or a subscription's, by status and creation time",
        querystring: paymentListQuery,
        response: { 200: documented(listJson(expandedPaymentJson, z.uuid()), 'Payments, newest first (created: when recur recorded them)', onePage(paymentExample)), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => {
      const { customer, subscription_id, status, expand } = request.query;
      const page = await listPayments(ctx, { ...toPageRequest(request.query), customerExternalId: customer, subscriptionId: subscription_id, status });
      return presentPage(page, await presentExpanded(ctx, page.items, expansionsOf(expand)));
    },
  );
}
