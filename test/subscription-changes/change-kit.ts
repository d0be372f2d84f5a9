import { expect } from 'vitest';
import type { DatabaseKind } from '../../src/db/database.ts';
import { tableCounts } from '../stripe/stripe-test-kit.ts';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';

export type SubscriptionJson = {
  id: string;
  status: string;
  plan: string;
  provider_subscription_id: string;
  trial_end: string | null;
  current_period_start: string | null;
  current_period_end: string | null;
  cancel_at_period_end: boolean;
  canceled_at: string | null;
};

export const DAY_S = 86_400;
export const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export type ChangeKit = {
  recur: RunningRecur;
  api: (method: string, path: string, body?: unknown, auth?: string | null) => Promise<Response>;
  advance: (body: { days?: number; seconds?: number }) => Promise<void>;
  subscribe: (externalId: string, plan: 'monthly' | 'yearly') => Promise<SubscriptionJson>;
  expectNothingWritten: (call: () => Promise<Response>, status: number, code: string) => Promise<string>;
};

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

/** recur listening against the Stripe sandbox (see running-recur.ts), with the HTTP calls these tests make. */
export async function startChangeKit(kind: DatabaseKind): Promise<ChangeKit> {
  const recur = await startRunningRecur(kind);
  const api: ChangeKit['api'] = (method, path, body, auth) =>
    fetch(`${recur.baseUrl}${path}`, {
      method,
      headers: { ...(auth === null ? {} : { authorization: auth ?? recur.t.auth }), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      redirect: 'manual',
    });
  const advance: ChangeKit['advance'] = async (body) => {
    const response = await fetch(`${recur.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`advance: ${response.status} ${await response.text()}`);
  };

  /** A customer in recur who went through checkout and paid with Visa 4242: a trialing subscription, recorded by the redirect. */
  const subscribe: ChangeKit['subscribe'] = async (externalId, plan) => {
    expect((await api('POST', '/v1/customers', { external_id: externalId, email: `${externalId}@example.nl`, locale: 'nl' })).status).toBe(201);
    const started = await api('POST', '/v1/checkout', { customer: externalId, plan, provider: 'stripe', return_url: 'https://shop.example/account' });
    if (started.status !== 201) throw new Error(`checkout: ${started.status} ${await started.text()}`);
    return completeCheckout(recur, api, ((await started.json()) as { url: string }).url, externalId);
  };

  const expectNothingWritten: ChangeKit['expectNothingWritten'] = async (call, status, code) => {
    const before = await tableCounts(recur.t.ctx.db);
    const response = await call();
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect([response.status, body.error?.code]).toEqual([status, code]);
    expect(await tableCounts(recur.t.ctx.db)).toEqual(before);
    return body.error.message;
  };
  return { recur, api, advance, subscribe, expectNothingWritten };
}

/** The sandbox's hosted checkout page paid with Visa, and the browser sent back through recur's return route. */
export async function completeCheckout(recur: RunningRecur, api: ChangeKit['api'], url: string, externalId: string): Promise<SubscriptionJson> {
  const paid = await fetch(url, form({ card: 'pm_card_visa', action: 'pay' }));
  expect(paid.status).toBe(303);
  const back = await fetch(paid.headers.get('location')!, { redirect: 'manual' });
  expect(back.status).toBe(303);
  expect(new URL(back.headers.get('location')!).searchParams.get('checkout')).toBe('success');
  const listed = (await (await api('GET', `/v1/subscriptions?customer=${externalId}`)).json()) as { data: SubscriptionJson[] };
  return listed.data[0]!;
}

/** recur's row as the API shows it, for comparing with the sandbox's subscription. */
export async function readSubscription(kit: ChangeKit, id: string): Promise<SubscriptionJson> {
  const response = await kit.api('GET', `/v1/subscriptions/${id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as SubscriptionJson;
}

/** What the sandbox holds, in the API's terms. */
export async function sandboxTruth(kit: ChangeKit, providerSubscriptionId: string, plans: Record<string, string>) {
  const truth = await kit.recur.kit.stripe.subscriptions.retrieve(providerSubscriptionId);
  const item = truth.items.data[0]!;
  return {
    status: truth.status,
    plan: plans[item.price.lookup_key ?? ''] ?? item.price.lookup_key,
    trial_end: truth.trial_end ? iso(truth.trial_end) : null,
    current_period_start: iso(item.current_period_start),
    current_period_end: iso(item.current_period_end),
    cancel_at_period_end: truth.cancel_at_period_end,
    canceled_at: truth.canceled_at ? iso(truth.canceled_at) : null,
  };
}

export const PLANS_BY_LOOKUP_KEY = { recur_monthly: 'monthly', recur_yearly: 'yearly' };

/** A PayPal subscription row (recur cannot change those yet), written as its sync would. */
export async function insertPaypalSubscription(kit: ChangeKit, externalId: string): Promise<string> {
  const now = kit.recur.t.ctx.clock.now();
  const db = kit.recur.t.ctx.db;
  const customer = await db.query<{ id: string }>("INSERT INTO customers (external_id, email, locale, created_at, updated_at) VALUES ($1, $2, 'en', $3, $3) RETURNING id", [externalId, `${externalId}@example.nl`, now]);
  const row = await db.query<{ id: string }>(
    `INSERT INTO subscriptions (customer_id, provider, provider_subscription_id, plan_id, status, provider_status, provider_updated_at, created_at, updated_at, signed_up_at)
     VALUES ($1, 'paypal', 'I-PAYPAL1', 'monthly', 'active', 'ACTIVE', $2, $2, $2, $2) RETURNING id`,
    [customer.rows[0]!.id, now],
  );
  return row.rows[0]!.id;
}
