import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import type { TestApp } from '../support/test-app.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';
import { eventFeeder, readAllEvents, startStripeTestApp } from './stripe-test-kit.ts';

// What Stripe says is stored even when the database cannot hold a character of it: refusing it
// would fail the event that brought it on every attempt, until it is dead.
describe.each(testDatabaseKinds)('Stripe text PostgreSQL cannot store, on %s', (kind) => {
  let kit: StripeKit;
  let t: TestApp;
  let fresh: TestDatabase;
  beforeAll(async () => {
    ({ kit, t } = await startStripeTestApp(kind));
    fresh = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await fresh.dispose();
    await t.close();
    await kit.stop();
  });

  it("applies a subscription of a Stripe customer recur does not know, whose name holds a U+0000, with U+FFFD in the name", async () => {
    const customer = await kit.stripe.customers.create({ email: 'onbekend@example.nl', name: 'Anna\u0000Jansen' });
    expect((await kit.stripe.customers.retrieve(customer.id)) as { name: string }).toMatchObject({ name: 'Anna\u0000Jansen' });
    const [price] = (await kit.stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data;
    const subscription = await kit.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price!.id }], trial_period_days: 30 });

    const feed = eventFeeder(kit, fresh.db, t.clock);
    const created = (await readAllEvents(kit.stripe)).find((event) => event.type === 'customer.subscription.created' && (event.data.object as { id: string }).id === subscription.id)!;
    expect(await feed(created)).toMatchObject({ outcome: 'applied' });
    const customers = await fresh.db.query('SELECT external_id, email, name FROM customers');
    expect(customers.rows).toEqual([{ external_id: `stripe:${customer.id}`, email: 'onbekend@example.nl', name: 'Anna\ufffdJansen' }]);
    expect((await fresh.db.query('SELECT status FROM subscriptions WHERE provider_subscription_id = $1', [subscription.id])).rows).toEqual([{ status: 'trialing' }]);
  });
});
