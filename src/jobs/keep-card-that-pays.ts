import { z } from 'zod';
import { KEEP_CARD_THAT_PAYS, keepCardThatPays } from '../services/checkout/keep-card-that-pays.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { defineJob } from './job-definition.ts';

/** Queued by a completed checkout, in the transaction that records its subscription; one per subscription. */
export const keepCardThatPaysJob = (ctx: ServiceContext) =>
  defineJob({
    name: KEEP_CARD_THAT_PAYS,
    description: "Tells the provider to make the card a customer pays a held invoice with the subscription's default (Stripe: save_default_payment_method=on_subscription)",
    payload: z.object({ provider: z.enum(['stripe', 'paypal']), providerSubscriptionId: z.string().min(1) }),
    policy: 'stately',
    retryLimit: 8,
    retryDelaySeconds: 30,
    expireInSeconds: 10 * 60,
    handle: async ({ provider, providerSubscriptionId }) => {
      await keepCardThatPays(ctx, provider, providerSubscriptionId);
    },
  });
