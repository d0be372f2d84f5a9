import { createHash } from 'node:crypto';
import type { Decline } from './test-cards.ts';

/** A SEPA Direct Debit: always `processing` first; it settles (or fails) after a while. */
export type SepaBehaviour = { settlesAfterSeconds: number; fails?: Decline; disputed?: boolean };

const failed: Decline = { code: 'insufficient_funds', message: 'The customer’s account has insufficient funds to cover this payment.' };

/** Stripe's documented SEPA test IBANs. Any other IBAN settles successfully. */
const IBANS: Record<string, SepaBehaviour> = {
  AT611904300234573201: { settlesAfterSeconds: 0 },
  AT861904300235473202: { settlesAfterSeconds: 0, fails: failed },
  AT591904300235473203: { settlesAfterSeconds: 0, disputed: true },
  AT321904300235473204: { settlesAfterSeconds: 180 },
  AT871904300235473205: { settlesAfterSeconds: 180, fails: failed },
};

const BY_FINGERPRINT = new Map(Object.keys(IBANS).map((iban) => [ibanFingerprint(iban), IBANS[iban]!]));

export function ibanFingerprint(iban: string): string {
  return createHash('sha256').update(`iban:${iban.replace(/\s+/g, '').toUpperCase()}`).digest('base64url').replace(/[-_]/g, 'x').slice(0, 16);
}

export function sepaBehaviour(fingerprint: string | null | undefined): SepaBehaviour {
  return (fingerprint && BY_FINGERPRINT.get(fingerprint)) || { settlesAfterSeconds: 0 };
}
