import { z } from 'zod';
import type { RefundRecord } from '../../db/repositories/refund-repository.ts';
import { PROVIDER_IDS } from '../../domain/provider.ts';

/** A refund of a payment (recur asked the provider for it, or it was made at the provider), as the API shows it: its status is the provider's. */
export const refundJson = z.object({
  id: z.uuid(),
  payment_id: z.uuid(),
  provider: z.enum(PROVIDER_IDS),
  amount: z.object({ amount_minor: z.number().int(), currency: z.string() }),
  reason: z.string(),
  actor: z.string().describe('who asked for it: `api_key:{id}`, `admin:{username}`, `portal:{external id}` (a withdrawal), or `provider` (made at the provider, e.g. in its dashboard)'),
  status: z.enum(['pending', 'succeeded', 'failed']).describe("pending until the provider says the money went back (or that it did not: failed); a succeeded refund can still turn failed when the provider reports that later"),
  provider_refund_id: z.string().nullable(),
  failure: z.string().nullable().describe('what the provider said when it refused, or why the refund failed later (Stripe: `failure_reason`)'),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

export const refundExample: z.output<typeof refundJson> = {
  id: '4e1f2a3b-5c6d-4e7f-8a9b-0c1d2e3f4a5b',
  payment_id: '9c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e8f',
  provider: 'stripe',
  amount: { amount_minor: 1000, currency: 'EUR' },
  reason: 'Goodwill: the parcel arrived late',
  actor: 'api_key:7',
  status: 'succeeded',
  provider_refund_id: 're_3QfA1b2C3d4E5f6G',
  failure: null,
  created_at: '2026-04-02T09:12:00.000Z',
  updated_at: '2026-04-02T09:12:01.000Z',
};

export const presentRefund = (refund: RefundRecord): z.infer<typeof refundJson> => ({
  id: refund.id,
  payment_id: refund.paymentId,
  provider: refund.provider,
  amount: { amount_minor: refund.amountMinor, currency: refund.currency },
  reason: refund.reason,
  actor: refund.actor,
  status: refund.status,
  provider_refund_id: refund.providerRefundId,
  failure: refund.failure,
  created_at: refund.createdAt.toISOString(),
  updated_at: refund.updatedAt.toISOString(),
});
