import { findSubscription, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export async function getSubscription(ctx: ServiceContext, id: string): Promise<SubscriptionRecord> {
  const subscription = await findSubscription(ctx.db, id);
  if (!subscription) throw notFound('subscription', id);
  return subscription;
}
