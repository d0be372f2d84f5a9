import type { Locale } from './customer-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import type { Queryable } from '../database.ts';

/** What a customer agreed to before a checkout: the words shown and the facts they state (migration 0023). */
export type CheckoutConsent = {
  customerId: string;
  provider: ProviderId;
  providerSessionId: string;
  planId: string;
  termsVersion: string;
  locale: Locale;
  termsText: string;
  trialDays: number;
  priceMinor: number;
  currency: string;
  interval: 'month' | 'year';
  dueTodayMinor: number;
  firstChargeAt: Date;
  consentedAt: Date;
};

type Row = {
  customer_id: string;
  provider: ProviderId;
  provider_session_id: string;
  plan_id: string;
  terms_version: string;
  locale: Locale;
  terms_text: string;
  trial_days: number;
  price_minor: string | number;
  currency: string;
  billing_interval: 'month' | 'year';
  due_today_minor: string | number;
  first_charge_at: Date;
  consented_at: Date;
};

const toConsent = (row: Row): CheckoutConsent => ({
  customerId: row.customer_id,
  provider: row.provider,
  providerSessionId: row.provider_session_id,
  planId: row.plan_id,
  termsVersion: row.terms_version,
  locale: row.locale,
  termsText: row.terms_text,
  trialDays: row.trial_days,
  priceMinor: Number(row.price_minor),
  currency: row.currency,
  interval: row.billing_interval,
  dueTodayMinor: Number(row.due_today_minor),
  firstChargeAt: row.first_charge_at,
  consentedAt: row.consented_at,
});

/**
 * Written in the transaction that records the checkout. A retry that got the same session back
 * from the provider (its idempotency) writes nothing: the first consent stands, and rows are
 * never updated (a trigger refuses it).
 */
export async function insertCheckoutConsent(tx: Queryable, consent: CheckoutConsent): Promise<void> {
  await tx.query(
    `INSERT INTO checkout_consents (customer_id, provider, provider_session_id, plan_id, terms_version, locale, terms_text, trial_days, price_minor, currency, billing_interval, due_today_minor, first_charge_at, consented_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (provider, provider_session_id) DO NOTHING`,
    [
      consent.customerId,
      consent.provider,
      consent.providerSessionId,
      consent.planId,
      consent.termsVersion,
      consent.locale,
      consent.termsText,
      consent.trialDays,
      consent.priceMinor,
      consent.currency,
      consent.interval,
      consent.dueTodayMinor,
      consent.firstChargeAt,
      consent.consentedAt,
    ],
  );
}

/** A customer's consents, oldest first. */
export async function listCheckoutConsentsOfCustomer(db: Queryable, customerId: string): Promise<CheckoutConsent[]> {
  const result = await db.query<Row>('SELECT * FROM checkout_consents WHERE customer_id = $1 ORDER BY consented_at, provider_session_id', [customerId]);
  return result.rows.map(toConsent);
}
