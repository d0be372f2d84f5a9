import { afterEach, describe, expect, it } from 'vitest';
import { createStripeClient } from '../../src/providers/payments/stripe/create-stripe-client.ts';
import { createRequestBudget, inLane } from '../../src/shared/request-budget.ts';
import { KEY, startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';

async function sandboxCall(kit: StripeKit, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${kit.sandbox.url}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  expect(response.ok).toBe(true);
  return response.json();
}

const customerReads = async (kit: StripeKit) => ((await sandboxCall(kit, 'GET', '/sandbox/requests')) as { counts: Record<string, number> }).counts['stripe GET /v1/customers/:id'] ?? 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("one request budget for everything recur sends to Stripe (the sandbox's API)", () => {
  let kit: StripeKit | null = null;
  afterEach(async () => {
    await kit?.stop();
    kit = null;
  });

  it('waits out a 429 for its Retry-After, holding every other request meanwhile, then sends it again', async () => {
    kit = await startStripe();
    const stripe = createStripeClient({ secretKey: KEY, apiBase: kit.sandbox.url, budget: createRequestBudget(25) });
    const customer = await kit.stripe.customers.create({ email: 'slow-down@example.nl' });
    await sandboxCall(kit, 'PUT', '/sandbox/faults', { requests: [{ provider: 'stripe', route: 'GET /v1/customers/:id', errorRate: 1, errorStatus: 429, retryAfterSeconds: 1 }] });
    await sandboxCall(kit, 'DELETE', '/sandbox/requests');

    const startedAt = performance.now();
    const first = stripe.customers.retrieve(customer.id);
    await sleep(200);
    const second = inLane('reconciliation', () => stripe.customers.retrieve(customer.id));
    await sleep(300);
    // Stripe has answered 429 once; the other caller waits with it instead of drawing a 429 of its own.
    expect(await customerReads(kit)).toBe(1);
    await sandboxCall(kit, 'PUT', '/sandbox/faults', { requests: [] });

    expect((await first).id).toBe(customer.id);
    expect((await second).id).toBe(customer.id);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(950);
    expect(await customerReads(kit)).toBe(3);
  }, 20_000);

  it('keeps to its rate with every caller together, and serves a second caller in turn rather than behind the first one\'s queue', async () => {
    kit = await startStripe();
    const perSecond = 5;
    const stripe = createStripeClient({ secretKey: KEY, apiBase: kit.sandbox.url, budget: createRequestBudget(perSecond) });
    const customer = await kit.stripe.customers.create({ email: 'shared@example.nl' });
    await sandboxCall(kit, 'DELETE', '/sandbox/requests');

    const finished: string[] = [];
    const read = (lane: 'webhook-worker' | 'reconciliation') => inLane(lane, () => stripe.customers.retrieve(customer.id)).then(() => void finished.push(lane));
    const startedAt = performance.now();
    const worker = Array.from({ length: 12 }, () => read('webhook-worker'));
    const reconciliation = Array.from({ length: 3 }, () => read('reconciliation'));
    await Promise.all([...worker, ...reconciliation]);
    const seconds = (performance.now() - startedAt) / 1000;

    expect(await customerReads(kit)).toBe(15);
    // 15 requests at 5 a second: the first 5 at once, the other 10 over two more seconds.
    expect(seconds).toBeGreaterThanOrEqual((15 - perSecond) / perSecond - 0.1);
    // Turn by turn: the reconciliation's three are done among the first seven, not after the worker's twelve.
    expect(finished.lastIndexOf('reconciliation')).toBeLessThan(7);
  }, 20_000);
});
