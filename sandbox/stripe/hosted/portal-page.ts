import type { FastifyInstance } from 'fastify';
import { periodOf } from '../billing/subscription-object.ts';
import { updateSubscription } from '../billing/update-subscription.ts';
import type { StripeRuntime } from '../runtime.ts';
import { escapeHtml, formatAmount, page } from './html.ts';

function day(seconds: number | null | undefined): string {
  return seconds ? new Date(seconds * 1000).toISOString().slice(0, 10) : '-';
}

/** GET/POST /stripe/billing_portal/:id: a customer sees its subscriptions and cancels or keeps them. */
export function registerPortalPage(scope: FastifyInstance, rt: StripeRuntime, afterAction: () => void): void {
  scope.get<{ Params: { id: string } }>('/stripe/billing_portal/:id', async (request, reply) => {
    const session = rt.state.portalSessions.get(request.params.id);
    if (!session) return reply.status(404).type('text/html').send(page('Not found', '<p>No such billing portal session.</p>'));
    const subscriptions = rt.state.subscriptions.filter((s) => s.customer === session.customer && s.status !== 'canceled' && s.status !== 'incomplete_expired');
    const rows = subscriptions
      .map((s) => {
        const item = s.items.data[0]!;
        const action = s.cancel_at_period_end ? 'renew' : 'cancel';
        return `<form method="post"><p><strong>${escapeHtml(rt.state.products.get(String(item.price.product))?.name ?? item.price.id)}</strong>
${formatAmount(item.price.unit_amount, item.price.currency)} / ${escapeHtml(item.price.recurring?.interval)} - ${escapeHtml(s.status)}<br>
${s.cancel_at_period_end ? `Ends on ${day(s.cancel_at)}` : `Renews on ${day(periodOf(s).end)}`}</p>
<input type="hidden" name="subscription" value="${escapeHtml(s.id)}">
<button type="submit" name="action" value="${action}">${action === 'cancel' ? 'Cancel at period end' : "Don't cancel"}</button></form>`;
      })
      .join('');
    const back = session.return_url ? `<p><a href="${escapeHtml(session.return_url)}">Return</a></p>` : '';
    return reply.type('text/html').send(page('Your subscriptions', `${rows || '<p>No subscriptions.</p>'}${back}`));
  });

  scope.post<{ Params: { id: string }; Body: Record<string, string | undefined> }>('/stripe/billing_portal/:id', async (request, reply) => {
    const session = rt.state.portalSessions.get(request.params.id);
    const subscription = rt.state.subscriptions.get(request.body?.subscription ?? '');
    if (!session || !subscription || subscription.customer !== session.customer) return reply.status(404).type('text/html').send(page('Not found', '<p>No such subscription.</p>'));
    updateSubscription(rt, subscription, { cancel_at_period_end: request.body?.action === 'cancel' ? 'true' : 'false' });
    afterAction();
    return reply.status(303).header('location', `/stripe/billing_portal/${session.id}`).send();
  });
}
