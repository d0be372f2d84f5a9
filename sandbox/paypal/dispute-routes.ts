import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { paginate } from './catalog-routes.ts';
import { disputeObject, resolveDispute } from './dispute-lifecycle.ts';
import { paypalErrors } from './paypal-errors.ts';
import type { StoredDispute } from './paypal-state.ts';
import type { PaypalRuntime } from './runtime.ts';
import { idempotentPost, parseBody } from './wire.ts';

const acceptBody = z.object({ note: z.string().min(1).max(2000).optional(), accept_claim_reason: z.string().optional(), accept_claim_type: z.string().optional() }).passthrough();
const adjudicateBody = z.object({ adjudication_outcome: z.enum(['BUYER_FAVOR', 'SELLER_FAVOR']) });

function findDispute(rt: PaypalRuntime, id: string): StoredDispute {
  const dispute = rt.data.disputes[id];
  if (!dispute) throw paypalErrors.notFound('dispute');
  return dispute;
}

function requireOpen(dispute: StoredDispute): void {
  if (dispute.status === 'RESOLVED') throw paypalErrors.unprocessable('DISPUTE_ALREADY_RESOLVED', 'The dispute is already resolved.');
}

/** Disputes v1: list, show, accept-claim, and PayPal's sandbox-only adjudicate. */
export function registerDisputeRoutes(api: FastifyInstance, rt: PaypalRuntime): void {
  api.get<{ Querystring: { disputed_transaction_id?: string; dispute_state?: string; page_size?: string } }>('/v1/customer/disputes', async (request) => {
    const { disputed_transaction_id: transaction, dispute_state: state } = request.query;
    const all = Object.values(rt.data.disputes)
      .filter((dispute) => !transaction || dispute.payment_id === transaction)
      .filter((dispute) => !state || (state === 'RESOLVED' ? dispute.status === 'RESOLVED' : state === 'REQUIRED_ACTION' ? dispute.status === 'WAITING_FOR_SELLER_RESPONSE' : dispute.status !== 'RESOLVED'))
      .sort((a, b) => b.create_time.localeCompare(a.create_time));
    const { items } = paginate(all, { page_size: request.query.page_size ?? '10' });
    // PayPal leaves `items` out of an empty list (its schema wants at least one).
    if (items.length === 0) return { links: [{ href: `${rt.apiBase()}/v1/customer/disputes`, rel: 'self', method: 'GET' }] };
    return {
      items: items.map((dispute) => {
        const full = disputeObject(rt, dispute);
        return {
          dispute_id: dispute.id,
          create_time: dispute.create_time,
          update_time: dispute.update_time,
          reason: dispute.reason,
          status: dispute.status,
          dispute_state: dispute.status === 'RESOLVED' ? 'RESOLVED' : dispute.status === 'WAITING_FOR_SELLER_RESPONSE' ? 'REQUIRED_ACTION' : 'UNDER_PAYPAL_REVIEW',
          dispute_amount: full.dispute_amount,
          ...(full.dispute_outcome ? { outcome: (full.dispute_outcome as { outcome_code: string }).outcome_code } : {}),
          dispute_life_cycle_stage: full.dispute_life_cycle_stage,
          dispute_channel: full.dispute_channel,
          links: (full.links as unknown[]).slice(0, 1),
        };
      }),
      links: [{ href: `${rt.apiBase()}/v1/customer/disputes`, rel: 'self', method: 'GET' }],
    };
  });

  api.get<{ Params: { id: string } }>('/v1/customer/disputes/:id', async (request) => disputeObject(rt, findDispute(rt, request.params.id)));

  idempotentPost(api, rt, '/v1/customer/disputes/:id/accept-claim', (request) => {
    const dispute = findDispute(rt, (request.params as { id: string }).id);
    parseBody(acceptBody, request.body);
    requireOpen(dispute);
    resolveDispute(rt, dispute, 'RESOLVED_BUYER_FAVOUR');
    return { status: 200, body: { links: [{ href: `${rt.apiBase()}/v1/customer/disputes/${dispute.id}`, rel: 'self', method: 'GET' }] } };
  });

  idempotentPost(api, rt, '/v1/customer/disputes/:id/adjudicate', (request) => {
    const dispute = findDispute(rt, (request.params as { id: string }).id);
    const { adjudication_outcome: outcome } = parseBody(adjudicateBody, request.body);
    requireOpen(dispute);
    resolveDispute(rt, dispute, outcome === 'BUYER_FAVOR' ? 'RESOLVED_BUYER_FAVOUR' : 'RESOLVED_SELLER_FAVOUR');
    return { status: 200, body: { links: [{ href: `${rt.apiBase()}/v1/customer/disputes/${dispute.id}`, rel: 'self', method: 'GET' }] } };
  });
}
