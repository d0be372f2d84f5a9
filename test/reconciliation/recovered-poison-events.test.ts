import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import type { StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { startStripeTestApp } from '../stripe/stripe-test-kit.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

// Reconciliation stores the events whose webhooks never came in the same inbox: one with text
// the database cannot hold must not fail every run from then on.
describe.each(testDatabaseKinds)('events recovered by reconciliation, on %s', (kind) => {
  let kit: StripeKit;
  let t: TestApp;
  beforeAll(async () => {
    ({ kit, t } = await startStripeTestApp(kind));
  });
  afterAll(async () => {
    await t.close();
    await kit.stop();
  });

  it('stores a missed event with U+0000 in a string as U+FFFD, and the run succeeds', async () => {
    const customer = await kit.stripe.customers.create({ email: 'nul@example.nl', name: 'Anna\u0000Jansen' });
    t.clock.advance(60_000);
    const run = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(run.status).toBe('succeeded');
    const stored = await t.ctx.db.query<{ payload: { data: { object: { id: string; name: string } } } }>("SELECT payload FROM webhook_inbox WHERE type = 'customer.created'");
    expect(stored.rows.map((row) => row.payload.data.object)).toContainEqual(expect.objectContaining({ id: customer.id, name: 'Anna\ufffdJansen' }));
    expect((await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' })).status).toBe('succeeded');
  }, 60_000);
});
