import { createHash } from 'node:crypto';

/** A decline as Stripe reports it: `code` (card_declined, expired_card, …) and, for card_declined, the bank's reason. */
export type Decline = { code: string; declineCode?: string; message: string };

export type TestCard = {
  number: string;
  brand: 'visa' | 'mastercard' | 'amex' | 'discover';
  funding: 'credit' | 'debit';
  /** Declined already when saved to a customer (Stripe validates the card on attach). */
  failsAttach?: Decline;
  /** Declined on every charge. */
  declines?: Decline;
  /** 3D Secure: on every payment, or only when the customer is present (not on renewals). */
  authentication?: 'always' | 'on_session';
  /** The charge succeeds, then the cardholder disputes it. */
  dispute?: { reason: string; inquiry: boolean };
  /** Refunds of its charges are `succeeded` at first and fail a while later (Stripe's `refundFail`). */
  refundFails?: boolean;
};

const generic: Decline = { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' };
const declined = (declineCode: string, message = 'Your card was declined.'): Decline => ({ code: 'card_declined', declineCode, message });

function failing(number: string, decline: Decline): TestCard {
  return { number, brand: 'visa', funding: 'credit', failsAttach: decline, declines: decline };
}

/** Stripe's documented test cards, by the name in `pm_card_<name>` / `tok_<name>`. */
const CARDS: Record<string, TestCard> = {
  visa: { number: '4242424242424242', brand: 'visa', funding: 'credit' },
  visa_debit: { number: '4000056655665556', brand: 'visa', funding: 'debit' },
  mastercard: { number: '5555555555554444', brand: 'mastercard', funding: 'credit' },
  mastercard_debit: { number: '5200828282828210', brand: 'mastercard', funding: 'debit' },
  amex: { number: '378282246310005', brand: 'amex', funding: 'credit' },
  discover: { number: '6011111111111117', brand: 'discover', funding: 'credit' },
  chargeDeclined: failing('4000000000000002', generic),
  visa_chargeDeclined: failing('4000000000000002', generic),
  chargeDeclinedInsufficientFunds: failing('4000000000009995', declined('insufficient_funds', 'Your card has insufficient funds.')),
  visa_chargeDeclinedInsufficientFunds: failing('4000000000009995', declined('insufficient_funds', 'Your card has insufficient funds.')),
  chargeDeclinedLostCard: failing('4000000000009987', declined('lost_card')),
  chargeDeclinedStolenCard: failing('4000000000009979', declined('stolen_card')),
  chargeDeclinedFraudulent: failing('4100000000000019', declined('fraudulent')),
  chargeDeclinedExpiredCard: failing('4000000000000069', { code: 'expired_card', message: 'Your card has expired.' }),
  chargeDeclinedIncorrectCvc: failing('4000000000000127', { code: 'incorrect_cvc', message: "Your card's security code is incorrect." }),
  chargeDeclinedProcessingError: failing('4000000000000119', { code: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' }),
  chargeCustomerFail: { number: '4000000000000341', brand: 'visa', funding: 'credit', declines: generic },
  createDispute: { number: '4000000000000259', brand: 'visa', funding: 'credit', dispute: { reason: 'fraudulent', inquiry: false } },
  createDisputeInquiry: { number: '4000000000001976', brand: 'visa', funding: 'credit', dispute: { reason: 'general', inquiry: true } },
  createDisputeProductNotReceived: { number: '4000000000002685', brand: 'visa', funding: 'credit', dispute: { reason: 'product_not_received', inquiry: false } },
  refundFail: { number: '4000000000005126', brand: 'visa', funding: 'credit', refundFails: true },
  authenticationRequired: { number: '4000002760003184', brand: 'visa', funding: 'credit', authentication: 'always' },
  threeDSecure2Required: { number: '4000000000003220', brand: 'visa', funding: 'credit', authentication: 'always' },
  threeDSecureRequired: { number: '4000000000003063', brand: 'visa', funding: 'credit', authentication: 'always' },
  authenticationRequiredOnSetup: { number: '4000002500003155', brand: 'visa', funding: 'credit', authentication: 'on_session' },
};

const BY_NUMBER = new Map(Object.values(CARDS).map((card) => [card.number, card]));
const BY_FINGERPRINT = new Map(Object.values(CARDS).map((card) => [cardFingerprint(card.number), card]));

/** `pm_card_visa`, `tok_chargeCustomerFail` -> the test card, or undefined for anything else. */
export function testCardForToken(token: string): TestCard | undefined {
  const match = /^(?:pm_card_|tok_)(.+)$/.exec(token);
  return match ? CARDS[match[1]!] : undefined;
}

export function testCardForNumber(number: string): TestCard | undefined {
  return BY_NUMBER.get(number.replace(/\s+/g, ''));
}

/** Behaviour follows the card, as in Stripe: a saved card is recognised by its fingerprint. */
export function testCardForFingerprint(fingerprint: string | null | undefined): TestCard | undefined {
  return fingerprint ? BY_FINGERPRINT.get(fingerprint) : undefined;
}

export function cardFingerprint(number: string): string {
  return createHash('sha256').update(`card:${number}`).digest('base64url').replace(/[-_]/g, 'x').slice(0, 16);
}

/** The test cards a person can pick on the hosted checkout page. */
export const HOSTED_PAGE_CARDS: ReadonlyArray<{ token: string; label: string }> = [
  { token: 'pm_card_visa', label: 'Visa 4242 - succeeds' },
  { token: 'pm_card_mastercard', label: 'Mastercard 4444 - succeeds' },
  { token: 'pm_card_chargeDeclined', label: 'Visa 0002 - declined' },
  { token: 'pm_card_chargeDeclinedInsufficientFunds', label: 'Visa 9995 - insufficient funds' },
  { token: 'pm_card_authenticationRequired', label: 'Visa 3184 - 3D Secure authentication' },
  { token: 'pm_card_createDispute', label: 'Visa 0259 - succeeds, then disputed' },
  { token: 'pm_card_chargeCustomerFail', label: 'Visa 0341 - succeeds now, later renewals fail' },
  { token: 'pm_card_refundFail', label: 'Visa 5126 - succeeds, later refunds fail' },
];
