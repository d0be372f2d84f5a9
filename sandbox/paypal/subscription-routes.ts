import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { paginate } from './catalog-routes.ts';
import { paypalIds } from './ids.ts';
import { money } from './money.ts';
import { feeOf } from './payment-objects.ts';
import { paypalErrors } from './paypal-errors.ts';
import type { StoredSubscription } from './paypal-state.ts';
import { findPlan } from './plan-routes.ts';
import { isoSeconds, type PaypalRuntime } from './runtime.ts';
import { reactivate, subscriptionEvent, suspend } from './subscription-billing.ts';
import { subscriptionObject } from './subscription-object.ts';
import { payerName } from './test-payers.ts';
import { idempotentPost, parseBody } from './wire.ts';

const nameBody = z.object({ given_name: z.string().max(140).optional(), surname: z.string().max(140).optional() });

const createBody = z.object({
  plan_id: z.string().min(3).max(50),
  // PayPal's date_time: seconds required, fractions optional, Z or an offset.
  start_time: z.string().regex(/^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])[Tt]([0-1][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)([.][0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$/).min(20).max(64).optional(),
  quantity: z.string().optional(),
  custom_id: z.string().min(1).max(127).optional(),
  subscriber: z.object({ email_address: z.string().email().max(254).optional(), name: nameBody.optional() }).passthrough().optional(),
  application_context: z
    .object({
      brand_name: z.string().max(127).optional(),
      locale: z.string().optional(),
      shipping_preference: z.enum(['GET_FROM_FILE', 'NO_SHIPPING', 'SET_PROVIDED_ADDRESS']).optional(),
      user_action: z.enum(['CONTINUE', 'SUBSCRIBE_NOW']).optional(),
      return_url: z.string().url().max(4000).optional(),
      cancel_url: z.string().url().max(4000).optional(),
    })
    .passthrough()
    .optional(),
});

const reasonBody = z.object({ reason: z.string().min(1).max(128) });
const reviseBody = z.object({ plan_id: z.string().min(3).max(50) }).passthrough();

export function findSubscription(rt: PaypalRuntime, id: string): StoredSubscription {
  const subscription = rt.data.subscriptions[id];
  if (!subscription) throw paypalErrors.notFound('subscription');
  return subscription;
}

function requireStatus(subscription: StoredSubscription, allowed: StoredSubscription['status'][], action: string): void {
  if (!allowed.includes(subscription.status)) throw paypalErrors.unprocessable('SUBSCRIPTION_STATUS_INVALID', `Invalid subscription status for ${action} action; subscription status should be ${allowed.join(' or ')}.`);
}

/**
 * A start_time the buyer's approval activates the subscription at (PayPal bills the first regular
 * cycle then, and nothing before it). The specification enumerates no issue for a start in the
 * past; PayPal refuses it as an invalid value of the field, as here. null: start on approval.
 */
function requireStartTime(text: string | undefined, now: Date): string | null {
  if (text === undefined) return null;
  const time = Date.parse(text);
  if (Number.isNaN(time) || time < now.getTime()) {
    throw paypalErrors.invalidRequest([{ field: '/start_time', value: text, location: 'body', issue: 'INVALID_PARAMETER_VALUE', description: 'The value of a field is invalid.' }]);
  }
  return isoSeconds(new Date(time));
}

/** Subscriptions v1: create, list, get, suspend, activate, cancel, revise, transactions. */
export function registerSubscriptionRoutes(api: FastifyInstance, rt: PaypalRuntime): void {
  idempotentPost(api, rt, '/v1/billing/subscriptions', (request) => {
    const body = parseBody(createBody, request.body);
    const plan = findPlan(rt, body.plan_id);
    if (plan.status !== 'ACTIVE') throw paypalErrors.unprocessable('PLAN_STATUS_INVALID', 'Invalid plan status. Subscription cannot be created for a plan in a non-active state.');
    const now = rt.nowIso();
    const startTime = requireStartTime(body.start_time, rt.now());
    const subscription: StoredSubscription = {
      id: paypalIds.subscription(),
      plan_id: plan.id,
      status: 'APPROVAL_PENDING',
      ...(body.custom_id ? { custom_id: body.custom_id } : {}),
      subscriber: {
        ...(body.subscriber?.email_address ? { email_address: body.subscriber.email_address } : {}),
        ...(body.subscriber?.name ? { name: body.subscriber.name } : {}),
      },
      ...(body.application_context?.return_url ? { return_url: body.application_context.return_url } : {}),
      ...(body.application_context?.cancel_url ? { cancel_url: body.application_context.cancel_url } : {}),
      ...(body.application_context?.brand_name ? { brand_name: body.application_context.brand_name } : {}),
      approval_token: paypalIds.approvalToken(),
      ba_token: paypalIds.baToken(),
      start_time: startTime ?? now,
      deferred_start: startTime !== null,
      create_time: now,
      update_time: now,
      status_update_time: now,
      payer: null,
      funding_fixed: false,
      cycles: { TRIAL: 0, REGULAR: 0 },
      next_cycle_at: null,
      retry_at: null,
      retries: 0,
      failed_payments_count: 0,
      last_failed_payment: null,
      outstanding: 0,
      last_payment: null,
      pending_plan_id: null,
    };
    rt.data.subscriptions[subscription.id] = subscription;
    subscriptionEvent(rt, subscription, 'BILLING.SUBSCRIPTION.CREATED', `Subscription ${subscription.id} created`);
    const { id, status, status_update_time, create_time, links } = subscriptionObject(rt, subscription);
    return { status: 201, body: { id, plan_id: plan.id, status, status_update_time, ...(subscription.custom_id ? { custom_id: subscription.custom_id } : {}), plan_overridden: false, create_time, links } };
  });

  // What the official SDK's listSubscriptions asks (PayPal's published spec names only its plan_ids parameter).
  api.get<{ Querystring: { plan_ids?: string; statuses?: string; created_after?: string; created_before?: string; page_size?: string; page?: string } }>('/v1/billing/subscriptions', async (request) => {
    const { plan_ids: planIds, statuses, created_after: after, created_before: before } = request.query;
    const plans = planIds ? new Set(planIds.split(',').map((id) => id.trim())) : null;
    const wanted = statuses ? new Set(statuses.split(',').map((status) => status.trim().toUpperCase())) : null;
    const all = Object.values(rt.data.subscriptions)
      .filter((subscription) => !plans || plans.has(subscription.plan_id))
      .filter((subscription) => !wanted || wanted.has(subscription.status))
      .filter((subscription) => !after || Date.parse(subscription.create_time) >= Date.parse(after))
      .filter((subscription) => !before || Date.parse(subscription.create_time) <= Date.parse(before));
    const { items, totalPages, total, page } = paginate(all, request.query);
    return {
      subscriptions: items.map((subscription) => subscriptionObject(rt, subscription)),
      total_items: total,
      total_pages: totalPages,
      links: [{ href: `${rt.apiBase()}/v1/billing/subscriptions?page=${page}`, rel: 'self', method: 'GET' }],
    };
  });

  api.get<{ Params: { id: string } }>('/v1/billing/subscriptions/:id', async (request) => subscriptionObject(rt, findSubscription(rt, request.params.id)));

  idempotentPost(api, rt, '/v1/billing/subscriptions/:id/suspend', (request) => {
    const subscription = findSubscription(rt, (request.params as { id: string }).id);
    const { reason } = parseBody(reasonBody, request.body);
    requireStatus(subscription, ['ACTIVE'], 'suspend');
    suspend(rt, subscription, reason);
    return { status: 204 };
  });

  idempotentPost(api, rt, '/v1/billing/subscriptions/:id/activate', (request) => {
    const subscription = findSubscription(rt, (request.params as { id: string }).id);
    const { reason } = parseBody(reasonBody.partial(), request.body);
    requireStatus(subscription, ['SUSPENDED'], 'activate');
    reactivate(rt, subscription, reason);
    return { status: 204 };
  });

  idempotentPost(api, rt, '/v1/billing/subscriptions/:id/cancel', (request) => {
    const subscription = findSubscription(rt, (request.params as { id: string }).id);
    const { reason } = parseBody(reasonBody, request.body);
    requireStatus(subscription, ['ACTIVE', 'SUSPENDED', 'APPROVAL_PENDING', 'APPROVED'], 'cancel');
    subscription.status = 'CANCELLED';
    subscription.status_change_note = reason;
    subscription.update_time = rt.nowIso();
    subscription.status_update_time = subscription.update_time;
    subscription.retry_at = null;
    subscription.next_cycle_at = null;
    subscriptionEvent(rt, subscription, 'BILLING.SUBSCRIPTION.CANCELLED', `Subscription ${subscription.id} cancelled`);
    return { status: 204 };
  });

  // A revision applies from the next cycle, without proration (PayPal cannot prorate); the buyer's consent is taken as given.
  idempotentPost(api, rt, '/v1/billing/subscriptions/:id/revise', (request) => {
    const subscription = findSubscription(rt, (request.params as { id: string }).id);
    const { plan_id } = parseBody(reviseBody, request.body);
    requireStatus(subscription, ['ACTIVE', 'SUSPENDED'], 'revise');
    const target = findPlan(rt, plan_id);
    const current = findPlan(rt, subscription.plan_id);
    if (target.status !== 'ACTIVE') throw paypalErrors.unprocessable('PLAN_STATUS_INVALID', 'Invalid plan status. The plan to revise to is not active.');
    if (target.product_id !== current.product_id || target.currency !== current.currency) throw paypalErrors.unprocessable('INVALID_PLAN', 'A subscription can only be revised to a plan of the same product and currency.');
    subscription.pending_plan_id = target.id === subscription.plan_id ? null : target.id;
    subscription.update_time = rt.nowIso();
    return {
      status: 200,
      body: {
        plan_id: target.id,
        plan_overridden: false,
        ...(subscription.next_cycle_at ? { effective_time: subscription.next_cycle_at } : {}),
        links: [{ href: `${rt.apiBase()}/v1/billing/subscriptions/${subscription.id}`, rel: 'edit', method: 'PATCH' }],
      },
    };
  });

  api.get<{ Params: { id: string }; Querystring: { start_time?: string; end_time?: string } }>('/v1/billing/subscriptions/:id/transactions', async (request) => {
    const subscription = findSubscription(rt, request.params.id);
    const { start_time, end_time } = request.query;
    const start = start_time ? Date.parse(start_time) : NaN;
    const end = end_time ? Date.parse(end_time) : NaN;
    if (Number.isNaN(start) || Number.isNaN(end)) {
      throw paypalErrors.invalidRequest([{ field: Number.isNaN(start) ? 'start_time' : 'end_time', location: 'query', issue: 'INVALID_PARAMETER_SYNTAX', description: 'The value of a field does not conform to the expected format.' }]);
    }
    const sales = Object.values(rt.data.payments).filter((payment) => payment.subscription_id === subscription.id && Date.parse(payment.create_time) >= start && Date.parse(payment.create_time) <= end);
    return {
      transactions: sales.map((sale) => ({
        status: sale.status,
        id: sale.id,
        amount_with_breakdown: { gross_amount: money(sale.amount, sale.currency), fee_amount: money(feeOf(sale.amount), sale.currency), net_amount: money(sale.amount - feeOf(sale.amount), sale.currency) },
        payer_name: payerName(sale.payer),
        payer_email: sale.payer,
        time: sale.create_time,
      })),
      total_items: sales.length,
      total_pages: 1,
      links: [{ href: `${rt.apiBase()}/v1/billing/subscriptions/${subscription.id}/transactions?start_time=${start_time}&end_time=${end_time}`, rel: 'SELF', method: 'GET' }],
    };
  });
}
