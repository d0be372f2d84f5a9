import type Stripe from 'stripe';
import { IDEAL_BANKS } from '../payments/bank-redirects.ts';
import { SEPA_TEST_ACCOUNTS } from '../payments/sepa-accounts.ts';
import { HOSTED_PAGE_CARDS } from '../payments/test-cards.ts';
import { escapeHtml } from './html.ts';
import { SEPA_MANDATE_TEXT } from './mandate-page.ts';

/** The payment method types the hosted page can take; others a session allows are not offered. */
export const PAGE_METHODS = ['card', 'ideal', 'bancontact', 'sepa_debit'] as const;
export type PageMethod = (typeof PAGE_METHODS)[number];

const LABELS: Record<PageMethod, string> = { card: 'Card', ideal: 'iDEAL', bancontact: 'Bancontact', sepa_debit: 'SEPA Direct Debit' };

export function pageMethodsOf(session: Stripe.Checkout.Session): PageMethod[] {
  return PAGE_METHODS.filter((method) => session.payment_method_types.includes(method));
}

/** A form that names no method (cards only, or an older client) pays by card when the session allows it. */
export function chosenMethod(session: Stripe.Checkout.Session, requested: string | undefined): PageMethod | undefined {
  const methods = pageMethodsOf(session);
  return methods.find((method) => method === (requested ?? methods[0]));
}

/** The test IBAN a new SEPA Direct Debit field starts with: Stripe's "succeeds" account. */
export const DEFAULT_IBAN = SEPA_TEST_ACCOUNTS[0]!.iban;

function cards(): string {
  return HOSTED_PAGE_CARDS.map((card, index) => `<label><input type="radio" name="card" value="${escapeHtml(card.token)}"${index === 0 ? ' checked' : ''}> ${escapeHtml(card.label)}</label>`).join('');
}

function extra(method: PageMethod): string {
  if (method === 'card') return `<p>Pick a test card:</p>${cards()}`;
  if (method === 'ideal') {
    const banks = Object.entries(IDEAL_BANKS).map(([code, bank]) => `<option value="${escapeHtml(code)}">${escapeHtml(bank.name)}</option>`).join('');
    return `<label for="ideal-bank">Bank</label> <select id="ideal-bank" name="ideal_bank">${banks}</select>`;
  }
  if (method === 'bancontact') return '<p class="note">You will authorize the payment on your bank’s page.</p>';
  return `<label for="iban">IBAN</label> <input type="text" id="iban" name="iban" value="${DEFAULT_IBAN}" autocomplete="off">
<label for="account-holder">Account holder</label> <input type="text" id="account-holder" name="account_holder" value="Jenny Rosen">
<p class="note" id="sepa-mandate">${escapeHtml(SEPA_MANDATE_TEXT)}</p>`;
}

/**
 * One choice per method the session allows. A session of cards only shows the test cards as it
 * always has; several methods each get a radio button (`method`), the first one chosen.
 */
export function paymentChoices(session: Stripe.Checkout.Session): string {
  const methods = pageMethodsOf(session);
  if (methods.length === 1 && methods[0] === 'card') return extra('card');
  return `<fieldset><legend>Payment method</legend>${methods
    .map((method, index) => `<div class="method"><label><input type="radio" name="method" value="${method}"${index === 0 ? ' checked' : ''}> ${LABELS[method]}</label>${extra(method)}</div>`)
    .join('')}</fieldset>`;
}
