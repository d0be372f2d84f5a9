import { upsertSubscriptionState, type SubscriptionState } from '../../src/db/repositories/subscription-repository.ts';
import type { TestApp } from './test-app.ts';

export async function seedCustomer(t: TestApp, externalId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/customers',
    headers: { authorization: t.auth },
    payload: { external_id: externalId, email: `${externalId}@example.nl`, ...extra },
  });
  if (response.statusCode !== 201) throw new Error(`seeding customer failed: ${response.body}`);
  return response.json().id as string;
}

/** A subscription row as the provider adapters will write it. */
export async function seedSubscription(t: TestApp, customerId: string, overrides: Partial<SubscriptionState> = {}): Promise<string> {
  const now = t.clock.now();
  const outcome = await upsertSubscriptionState(
    t.ctx.db,
    {
      customerId,
      provider: 'stripe',
      providerSubscriptionId: `sub_${Math.random().toString(36).slice(2, 12)}`,
      planId: 'monthly',
      status: 'active',
      providerStatus: 'active',
      signedUpAt: now,
      trialEnd: null,
      currentPeriodStart: now,
      currentPeriodEnd: new Date(now.getTime() + 30 * 86_400_000),
      cancelAtPeriodEnd: false,
      canceledAt: null,
      pastDueSince: null,
      providerUpdatedAt: now,
      ...overrides,
    },
    now,
  );
  if (outcome.outcome === 'stale') throw new Error('seeding subscription was refused as stale');
  return outcome.subscriptionId;
}
