import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSubscription, upsertSubscriptionState, type SubscriptionState } from '../../src/db/repositories/subscription-repository.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

describe.each(testDatabaseKinds)('subscription version guard on %s', (kind) => {
  let database: TestDatabase;
  let state: SubscriptionState;
  const now = new Date('2026-03-01T10:00:00Z');
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const customer = await database.db.query<{ id: string }>(
      "INSERT INTO customers (external_id, email, locale, created_at, updated_at) VALUES ('c1', 'c1@example.com', 'en', $1, $1) RETURNING id",
      [now],
    );
    state = {
      customerId: customer.rows[0]!.id,
      provider: 'stripe',
      providerSubscriptionId: 'sub_guard',
      planId: 'monthly',
      status: 'trialing',
      providerStatus: 'trialing',
      signedUpAt: now,
      trialEnd: new Date('2026-03-31T10:00:00Z'),
      currentPeriodStart: now,
      currentPeriodEnd: new Date('2026-03-31T10:00:00Z'),
      cancelAtPeriodEnd: false,
      canceledAt: null,
      pastDueSince: null,
      providerUpdatedAt: new Date('2026-03-01T10:00:00Z'),
    };
  });
  afterAll(() => database.dispose());

  it('inserts, applies a newer or equally new state, and ignores an older one', async () => {
    const inserted = await upsertSubscriptionState(database.db, state, now);
    expect(inserted.outcome).toBe('inserted');
    const id = inserted.outcome === 'stale' ? '' : inserted.subscriptionId;

    const newer = { ...state, status: 'active' as const, providerStatus: 'active', providerUpdatedAt: new Date('2026-03-31T10:00:05Z') };
    expect(await upsertSubscriptionState(database.db, newer, now)).toEqual({ outcome: 'updated', subscriptionId: id });

    // The trialing event arrives late (Stripe does not promise order): it must not roll back.
    expect(await upsertSubscriptionState(database.db, state, now)).toEqual({ outcome: 'stale' });
    expect(await findSubscription(database.db, id)).toMatchObject({ status: 'active', providerStatus: 'active', providerUpdatedAt: newer.providerUpdatedAt, customerExternalId: 'c1' });

    // A second event in the same second (Stripe's times are whole seconds) carries a fresher read: it applies.
    const sameSecond = { ...newer, status: 'canceled' as const, providerStatus: 'canceled' };
    expect(await upsertSubscriptionState(database.db, sameSecond, now)).toEqual({ outcome: 'updated', subscriptionId: id });
    expect(await findSubscription(database.db, id)).toMatchObject({ status: 'canceled', providerStatus: 'canceled', providerUpdatedAt: newer.providerUpdatedAt });
    // The very same state again is no change.
    expect(await upsertSubscriptionState(database.db, sameSecond, now)).toEqual({ outcome: 'stale' });
  });
});
