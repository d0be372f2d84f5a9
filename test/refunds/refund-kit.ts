import { expect } from 'vitest';
import type { ChangeKit } from '../subscription-changes/change-kit.ts';

export const SHOP = 'https://shop.example/account';

export type PaymentJson = {
  id: string;
  customer: string;
  provider: string;
  provider_payment_id: string;
  amount: { amount_minor: number; currency: string };
  amount_refunded: { amount_minor: number; currency: string };
  status: string;
  refunds: { id: string; status: string; amount: { amount_minor: number; currency: string }; reason: string; actor: string; provider_refund_id: string | null; failure: string | null }[];
};

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

/** A customer who bought `periods` months of prepaid time at the Stripe sandbox's hosted page (Visa): one succeeded one-time payment. */
export async function buyPrepaidWithStripe(kit: ChangeKit, customer: string, periods: number): Promise<PaymentJson> {
  expect((await kit.api('POST', '/v1/customers', { external_id: customer, email: `${customer}@example.nl`, locale: 'en' })).status).toBe(201);
  const started = await kit.api('POST', '/v1/checkout', { customer, plan: 'monthly', provider: 'stripe', mode: 'one_time', periods, return_url: SHOP });
  expect(started.status).toBe(201);
  const paid = await fetch(((await started.json()) as { url: string }).url, form({ card: 'pm_card_visa', action: 'pay' }));
  expect(paid.status).toBe(303);
  expect((await fetch(paid.headers.get('location')!, { redirect: 'manual' })).status).toBe(303);
  return onlyPayment(kit, customer);
}

export async function onlyPayment(kit: Pick<ChangeKit, 'api'>, customer: string): Promise<PaymentJson> {
  const listed = (await (await kit.api('GET', `/v1/payments?customer=${customer}`)).json()) as { data: PaymentJson[] };
  expect(listed.data).toHaveLength(1);
  return listed.data[0]!;
}
