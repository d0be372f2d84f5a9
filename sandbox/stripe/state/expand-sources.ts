import type Stripe from 'stripe';
import type { ExpandSources } from '../wire/expand.ts';
import type { StripeState } from './stripe-state.ts';

type Node = Record<string, unknown>;

function list(data: unknown[], url: string) {
  return { object: 'list', data: structuredClone(data), has_more: false, url };
}

function invoicePayment(invoiceId: string, intent: Stripe.PaymentIntent) {
  return {
    id: `inpay_${intent.id.slice(3)}`,
    object: 'invoice_payment',
    amount_paid: intent.status === 'succeeded' ? intent.amount_received : null,
    amount_requested: intent.amount,
    created: intent.created,
    currency: intent.currency,
    invoice: invoiceId,
    is_default: true,
    livemode: false,
    payment: { payment_intent: intent.id, type: 'payment_intent' },
    status: intent.status === 'succeeded' ? 'paid' : intent.status === 'canceled' ? 'canceled' : 'open',
    status_transitions: { canceled_at: intent.canceled_at, paid_at: intent.status === 'succeeded' ? intent.created : null },
  };
}

/**
 * What `expand[]` can reach: any stored object by id (a deleted customer expands to its
 * tombstone, as in Stripe) and the fields Stripe only includes on request. Since API version
 * basil an invoice has no `payment_intent`, and `expand[]=payment_intent` on it is refused as
 * Stripe refuses it: its payment intent is reached through `payments` (or `confirmation_secret`).
 */
export function expandSources(state: StripeState): ExpandSources {
  const intentOf = (node: Node) => {
    const id = state.invoiceIntents.get(String(node.id));
    return id ? state.paymentIntents.get(id) : undefined;
  };
  const includables: Record<string, Record<string, (node: Node) => unknown>> = {
    'checkout.session': {
      line_items: (node) => list(state.checkoutPlans.get(String(node.id))?.lineItems ?? [], `/v1/checkout/sessions/${String(node.id)}/line_items`),
    },
    invoice: {
      payments: (node) => {
        const intent = intentOf(node);
        return list(intent ? [invoicePayment(String(node.id), intent)] : [], `/v1/invoice_payments?invoice=${String(node.id)}`);
      },
      confirmation_secret: (node) => {
        const intent = intentOf(node);
        return intent?.client_secret ? { client_secret: intent.client_secret, type: 'payment_intent' } : null;
      },
    },
    customer: {
      subscriptions: (node) => list(state.subscriptions.filter((s) => s.customer === node.id && s.status !== 'canceled'), `/v1/customers/${String(node.id)}/subscriptions`),
      sources: (node) => list([], `/v1/customers/${String(node.id)}/sources`),
    },
  };
  return {
    lookup: (id) => state.findById(id) ?? (state.customers.wasDeleted(id) ? { id, object: 'customer', deleted: true } : undefined),
    includable: (objectType, field) => includables[objectType]?.[field],
  };
}
