import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenCheckoutSession } from '../../src/providers/payments/provider-objects.ts';
import { stripeGatewayOf, withStripeGateway } from '../support/payment-providers.ts';
import { seedCustomer } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startStripeTestApp } from './stripe-test-kit.ts';

/**
 * A double click where the first request lists the customer's open checkouts before the second
 * one exists, and records its own only after the second request has expired it at Stripe and
 * tried to mark it expired in recur (no row yet). Seen once on PostgreSQL as two sessions recur
 * held open while Stripe had one. The first request must find out and answer the open one.
 */
describe.each(testDatabaseKinds)('a checkout expired by a concurrent request before it was recorded (%s)', (kind) => {
  let app: Awaited<ReturnType<typeof startStripeTestApp>>;
  beforeAll(async () => {
    app = await startStripeTestApp(kind);
  });
  afterAll(async () => {
    await app.t.close();
    await app.kit.stop();
  });

  it('is recorded as expired, and both answers lead to the one checkout left open', async () => {
    await seedCustomer(app.t, 'shop-late-record');
    const gateway = stripeGatewayOf(app.t.ctx);
    let firstListed!: () => void;
    const firstHasListed = new Promise<void>((resolve) => (firstListed = resolve));
    let releaseFirst!: () => void;
    const secondDone = new Promise<void>((resolve) => (releaseFirst = resolve));
    let calls = 0;
    app.t.ctx.payments = withStripeGateway(app.t.ctx, {
      ...gateway,
      async listOpenCheckoutSessions(owner): Promise<OpenCheckoutSession[]> {
        calls += 1;
        const listed = await gateway.listOpenCheckoutSessions(owner);
        if (calls === 1) {
          firstListed();
          await secondDone; // the first request goes on with what it saw before the second began
        }
        return listed;
      },
    });
    const checkout = () => app.t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { authorization: app.t.auth }, payload: { customer: 'shop-late-record', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' } });

    const first = checkout();
    await firstHasListed;
    const second = await checkout();
    releaseFirst();
    const answers = [await first, second];

    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201]);
    const customer = (await app.stripe.customers.list({ limit: 100 })).data.find((c) => c.metadata['external_id'] === 'shop-late-record')!;
    const open = (await app.stripe.checkout.sessions.list({ customer: customer.id, status: 'open' })).data;
    expect(open).toHaveLength(1);
    expect(answers.map((answer) => answer.json().session_id)).toEqual([open[0]!.id, open[0]!.id]);
    const rows = await app.t.ctx.db.query<{ provider_session_id: string; status: string }>(
      "SELECT provider_session_id, status FROM checkout_sessions WHERE customer_id = (SELECT id FROM customers WHERE external_id = 'shop-late-record') ORDER BY status",
    );
    expect(rows.rows).toEqual([
      { provider_session_id: expect.not.stringMatching(open[0]!.id), status: 'expired' },
      { provider_session_id: open[0]!.id, status: 'open' },
    ]);
  });
});
