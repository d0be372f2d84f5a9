import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { createMandate, type MandateAcceptance } from './mandates.ts';
import { attachPaymentMethod, basePaymentMethod, createPaymentMethod } from './payment-methods.ts';
import { SEPA_TEST_ACCOUNTS } from './sepa-accounts.ts';

/** Payment methods paid by a redirect to the customer's bank, which Stripe can save as a SEPA Direct Debit. */
export const BANK_REDIRECT_TYPES = ['ideal', 'bancontact'] as const;
export type BankRedirectType = (typeof BANK_REDIRECT_TYPES)[number];

export function isBankRedirect(type: string): type is BankRedirectType {
  return (BANK_REDIRECT_TYPES as readonly string[]).includes(type);
}

/** iDEAL banks and their BICs, as in Stripe's `ideal.bank` / `ideal.bic`. */
export const IDEAL_BANKS: Record<string, { name: string; bic: string }> = {
  abn_amro: { name: 'ABN AMRO', bic: 'ABNANL2A' },
  asn_bank: { name: 'ASN Bank', bic: 'ASNBNL21' },
  bunq: { name: 'bunq', bic: 'BUNQNL2A' },
  ing: { name: 'ING', bic: 'INGBNL2A' },
  knab: { name: 'Knab', bic: 'KNABNL2H' },
  n26: { name: 'N26', bic: 'NTSBDEB1' },
  rabobank: { name: 'Rabobank', bic: 'RABONL2U' },
  regiobank: { name: 'RegioBank', bic: 'RBRBNL21' },
  revolut: { name: 'Revolut', bic: 'REVOLT21' },
  sns_bank: { name: 'SNS', bic: 'SNSBNL2A' },
  triodos_bank: { name: 'Triodos Bank', bic: 'TRIONL2U' },
  van_lanschot: { name: 'Van Lanschot Kempen', bic: 'FVLBNL22' },
};

/** Stripe's Bancontact test payments come from this bank. */
const BANCONTACT_BANK = { bank_code: 'VAPE', bank_name: 'VAN DE PUT & CO', bic: 'VAPEBE22' };
/** The account holder's name as the bank reports it in test mode. */
const VERIFIED_NAME = 'Jenny Rosen';
const BANCONTACT_LANGUAGES = ['de', 'en', 'fr', 'nl'] as const;

/** What the customer paid with on the bank page: the method and (iDEAL) the bank. */
export type BankAuthorization = { type: BankRedirectType; bank: string | null };

export function createBankRedirectPaymentMethod(rt: StripeRuntime, authorization: BankAuthorization, email: string | null): Stripe.PaymentMethod {
  const paymentMethod = basePaymentMethod(rt, authorization.type, { billing_details: { ...(email ? { email } : {}), name: VERIFIED_NAME } });
  if (authorization.type === 'bancontact') return rt.state.paymentMethods.add({ ...paymentMethod, bancontact: {} });
  const bank = authorization.bank && IDEAL_BANKS[authorization.bank] ? authorization.bank : null;
  const ideal = { bank: bank as Stripe.PaymentMethod.Ideal.Bank | null, bic: (bank ? IDEAL_BANKS[bank]!.bic : null) as Stripe.PaymentMethod.Ideal.Bic | null };
  return rt.state.paymentMethods.add({ ...paymentMethod, ideal });
}

/** The SEPA Direct Debit Stripe saves from an iDEAL or Bancontact payment, attached to the customer, with its mandate. */
export type GeneratedSepaDebit = { paymentMethod: Stripe.PaymentMethod; mandate: Stripe.Mandate };

export function generateSepaDebit(rt: StripeRuntime, source: Stripe.PaymentMethod, debitIban: string, customerId: string, acceptance: MandateAcceptance): GeneratedSepaDebit {
  const paymentMethod = createPaymentMethod(rt, 'sepa_debit', { sepa_debit: { iban: debitIban }, billing_details: { name: source.billing_details.name ?? VERIFIED_NAME, ...(source.billing_details.email ? { email: source.billing_details.email } : {}) } });
  attachPaymentMethod(rt, paymentMethod, customerId);
  return { paymentMethod, mandate: createMandate(rt, paymentMethod, acceptance) };
}

/** `payment_method_details.ideal` / `.bancontact` of a charge or a setup attempt. */
export function bankRedirectDetails(source: Stripe.PaymentMethod, generated: GeneratedSepaDebit | null, locale: string | null): Record<string, unknown> {
  const common = {
    generated_sepa_debit: generated?.paymentMethod.id ?? null,
    generated_sepa_debit_mandate: generated?.mandate.id ?? null,
    iban_last4: generated?.paymentMethod.sepa_debit?.last4 ?? null,
    verified_name: VERIFIED_NAME,
  };
  if (source.type === 'ideal') return { bank: source.ideal?.bank ?? null, bic: source.ideal?.bic ?? null, ...common };
  const language = BANCONTACT_LANGUAGES.find((code) => locale?.startsWith(code)) ?? 'en';
  return { ...BANCONTACT_BANK, ...common, preferred_language: language };
}

/** Stripe's SEPA test IBANs, one of which the generated SEPA Direct Debit draws on (a sandbox choice). */
export function isDebitAccount(iban: string): boolean {
  return SEPA_TEST_ACCOUNTS.some((account) => account.iban === iban);
}
