import { createHash } from 'node:crypto';
import type { Decline } from './test-cards.ts';

/** A SEPA Direct Debit: always `processing` first; it settles (or fails) after a while. */
export type SepaBehaviour = { settlesAfterSeconds: number; fails?: Decline; disputed?: boolean };

const failed: Decline = { code: 'insufficient_funds', message: 'The customer’s account has insufficient funds to cover this payment.' };

/** Stripe's documented SEPA test IBANs, with what each does. Any other IBAN settles successfully. */
export const SEPA_TEST_ACCOUNTS: ReadonlyArray<{ iban: string; label: string; behaviour: SepaBehaviour }> = [
  { iban: 'AT611904300234573201', label: 'succeeds', behaviour: { settlesAfterSeconds: 0 } },
  { iban: 'AT861904300235473202', label: 'fails after processing', behaviour: { settlesAfterSeconds: 0, fails: failed } },
  { iban: 'AT591904300235473203', label: 'succeeds, then is disputed', behaviour: { settlesAfterSeconds: 0, disputed: true } },
  { iban: 'AT321904300235473204', label: 'succeeds after 3 minutes', behaviour: { settlesAfterSeconds: 180 } },
  { iban: 'AT871904300235473205', label: 'fails after 3 minutes', behaviour: { settlesAfterSeconds: 180, fails: failed } },
];

const BY_FINGERPRINT = new Map(SEPA_TEST_ACCOUNTS.map((account) => [ibanFingerprint(account.iban), account.behaviour]));

export function ibanFingerprint(iban: string): string {
  return createHash('sha256').update(`iban:${iban.replace(/\s+/g, '').toUpperCase()}`).digest('base64url').replace(/[-_]/g, 'x').slice(0, 16);
}

export function sepaBehaviour(fingerprint: string | null | undefined): SepaBehaviour {
  return (fingerprint && BY_FINGERPRINT.get(fingerprint)) || { settlesAfterSeconds: 0 };
}
