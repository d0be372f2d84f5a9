import type Stripe from 'stripe';
import { expect } from 'vitest';
import type { StripeKit } from './stripe-kit.ts';

/** Stripe's SEPA test IBANs, by what a debit from them does. */
export const IBAN = {
  succeeds: 'AT611904300234573201',
  fails: 'AT861904300235473202',
  disputed: 'AT591904300235473203',
  succeedsLater: 'AT321904300235473204',
  failsLater: 'AT871904300235473205',
} as const;

export const SUCCESS_URL = 'https://shop.example/welcome?session_id={CHECKOUT_SESSION_ID}';

export function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
}

/** A Dutch shop's monthly plan (EUR 29.99) with every method the page offers, or those given. */
export async function bankSession(stripe: Stripe, options: { trialDays?: number; types?: Stripe.Checkout.SessionCreateParams.AllowedPaymentMethodType[]; locale?: Stripe.Checkout.SessionCreateParams.Locale } = {}): Promise<Stripe.Checkout.Session> {
  const price = await stripe.prices.create({ currency: 'eur', unit_amount: 2999, recurring: { interval: 'month' }, product_data: { name: 'Club monthly' } });
  return stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: price.id, quantity: 1 }],
    customer_email: 'sanne@example.nl',
    allowed_payment_method_types: options.types ?? ['card', 'ideal', 'bancontact', 'sepa_debit'],
    locale: options.locale ?? 'nl',
    success_url: SUCCESS_URL,
    cancel_url: 'https://shop.example/plans',
    ...(options.trialDays ? { subscription_data: { trial_period_days: options.trialDays } } : {}),
  });
}

/** Chooses iDEAL (at `bank`) or Bancontact on the checkout page and lands on the bank page: its URL. */
export async function goToBank(session: Stripe.Checkout.Session, method: 'ideal' | 'bancontact', bank = 'ing'): Promise<string> {
  const chosen = await postForm(session.url!, { method, ideal_bank: bank, action: 'pay' });
  expect(chosen.status).toBe(303);
  return String(chosen.headers.get('location'));
}

/** Pays on the bank page with the given test IBAN behind the generated SEPA Direct Debit; expects the way back to success_url. */
export async function authorizeAtBank(bankUrl: string, session: Stripe.Checkout.Session, debitAccount: string = IBAN.succeeds): Promise<void> {
  const page = await (await fetch(bankUrl)).text();
  const method = new URL(bankUrl).searchParams.get('method')!;
  const bank = new URL(bankUrl).searchParams.get('bank') ?? '';
  expect(page).toContain('Authorize test payment');
  const authorized = await postForm(bankUrl, { method, bank, debit_account: debitAccount, action: 'authorize' });
  expect(authorized.status).toBe(303);
  expect(authorized.headers.get('location')).toBe(SUCCESS_URL.replace('{CHECKOUT_SESSION_ID}', session.id));
}

export async function payWithIban(session: Stripe.Checkout.Session, iban: string): Promise<Response> {
  return postForm(session.url!, { method: 'sepa_debit', iban, account_holder: 'Sanne de Vries', action: 'pay' });
}

/** The event types the sandbox recorded about one object, oldest first. */
export async function eventsAbout(stripe: Stripe, id: string): Promise<string[]> {
  const events = await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
  return events
    .filter((event) => (event.data.object as { id?: string }).id === id)
    .map((event) => event.type)
    .reverse();
}

export async function advanceSeconds(kit: StripeKit, seconds: number): Promise<void> {
  const response = await fetch(`${kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
  expect(response.status).toBe(200);
}
