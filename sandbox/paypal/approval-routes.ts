import type { FastifyInstance, FastifyReply } from 'fastify';
import { money } from './money.ts';
import type { StoredSubscription } from './paypal-state.ts';
import { findPlan, regularCycle, trialCycle } from './plan-routes.ts';
import type { PaypalRuntime } from './runtime.ts';
import { renderApprovalPage, withQuery } from './approval-page.ts';
import { activateApproved, startsLater } from './subscription-billing.ts';
import { payerIdOf, payerName, testPayers } from './test-payers.ts';

function subscriptionByToken(rt: PaypalRuntime, baToken: string | undefined): StoredSubscription | undefined {
  return baToken ? Object.values(rt.data.subscriptions).find((subscription) => subscription.ba_token === baToken) : undefined;
}

function notFound(reply: FastifyReply, what: string): FastifyReply {
  return reply.status(404).type('text/html; charset=utf-8').send(`<!doctype html><title>Not found</title><p>This ${what} link is not valid (or was already used).</p>`);
}

function chosenPayer(body: unknown): string {
  const payer = (body as Record<string, unknown> | null)?.payer;
  return typeof payer === 'string' && payer.includes('@') ? payer.trim().toLowerCase() : Object.keys(testPayers)[0]!;
}

function subscriptionPage(rt: PaypalRuntime, subscription: StoredSubscription, error?: string): string {
  const plan = findPlan(rt, subscription.plan_id);
  const regular = regularCycle(plan);
  const trial = trialCycle(plan);
  const price = `${money(regular.price ?? 0, plan.currency).value} ${plan.currency} every ${regular.frequency.interval_count > 1 ? `${regular.frequency.interval_count} ` : ''}${regular.frequency.interval_unit.toLowerCase()}${regular.frequency.interval_count > 1 ? 's' : ''}`;
  const firstPayment = startsLater(rt, subscription) ? `first payment on ${subscription.start_time.slice(0, 10)}` : 'first payment today';
  const trialLine = trial ? `Free for ${trial.frequency.interval_count * trial.total_cycles} ${trial.frequency.interval_unit.toLowerCase()}(s), then ${price}.` : `${price}, ${firstPayment}.`;
  return renderApprovalPage({
    title: `Subscribe to ${plan.name}`,
    lines: [subscription.brand_name ? `Merchant: ${subscription.brand_name}` : 'Merchant: recur sandbox merchant', trialLine],
    action: `${rt.sandbox.baseUrl()}/paypal/webapps/billing/subscriptions`,
    hidden: { ba_token: subscription.ba_token },
    agree: 'Agree & Subscribe',
    cancelUrl: subscription.cancel_url ? withQuery(subscription.cancel_url, { subscription_id: subscription.id, ba_token: subscription.ba_token, token: subscription.approval_token }) : null,
    ...(error ? { error } : {}),
  });
}

/** The hosted approval of a subscription, at the path PayPal's own approve links have. */
export function registerSubscriptionApproval(app: FastifyInstance, rt: PaypalRuntime): void {
  app.get<{ Querystring: { ba_token?: string } }>('/paypal/webapps/billing/subscriptions', async (request, reply) => {
    const subscription = subscriptionByToken(rt, request.query.ba_token);
    if (!subscription || subscription.status !== 'APPROVAL_PENDING') return notFound(reply, 'subscription approval');
    return reply.type('text/html; charset=utf-8').send(subscriptionPage(rt, subscription));
  });

  app.post('/paypal/webapps/billing/subscriptions', async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, string>;
    const subscription = subscriptionByToken(rt, form.ba_token);
    if (!subscription || subscription.status !== 'APPROVAL_PENDING') return notFound(reply, 'subscription approval');
    const payer = chosenPayer(request.body);
    if (!activateApproved(rt, subscription, payer, payerIdOf(payer), payerName(payer))) {
      return reply.status(402).type('text/html; charset=utf-8').send(subscriptionPage(rt, subscription, 'This payment method was declined. Choose another way to pay.'));
    }
    const params = { subscription_id: subscription.id, ba_token: subscription.ba_token, token: subscription.approval_token };
    if (!subscription.return_url) return reply.type('text/html; charset=utf-8').send(`<!doctype html><title>Subscribed</title><p>Subscription ${subscription.id} is active.</p>`);
    return reply.redirect(withQuery(subscription.return_url, params), 302);
  });
}
