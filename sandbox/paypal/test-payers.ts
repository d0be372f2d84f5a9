/**
 * The emulator's test payers, as the Stripe emulator has test cards: the e-mail a payer chooses
 * on the approval page decides what their payments do. Any other address pays. A tag after `+`
 * (`renewals-fail+2@payers.recur.test`) is another payer account that behaves the same, so a test
 * can have several customers fail without them sharing one PayPal payer.
 */
export const testPayers = {
  'pays@payers.recur.test': 'Every payment goes through.',
  'renewals-fail@payers.recur.test': 'Approves; every scheduled subscription charge fails until the sandbox fixes the funding (POST /paypal/sandbox/subscriptions/{id}/fix-funding).',
  'declines@payers.recur.test': 'Every payment is declined: orders fail at capture (INSTRUMENT_DECLINED), a subscription without trial cannot be approved, charges after a trial fail.',
  'disputes@payers.recur.test': 'Pays, then disputes the payment a day later (an order\'s capture, or a subscription\'s first payment).',
} as const;

export type TestPayer = keyof typeof testPayers;

export const defaultPayer: TestPayer = 'pays@payers.recur.test';

/** The test payer an address behaves as: its `+tag` dropped. */
export const behaviourOf = (payer: string): string => payer.replace(/\+[^@]*@/, '@');

/** Whether a charge of `payer` goes through; `scheduled`: a subscription cycle or retry, not a payment at approval. */
export function chargeGoesThrough(address: string, options: { scheduled: boolean; fundingFixed: boolean }): boolean {
  if (options.fundingFixed) return true;
  const payer = behaviourOf(address);
  if (payer === 'declines@payers.recur.test') return false;
  if (payer === 'renewals-fail@payers.recur.test') return !options.scheduled;
  return true;
}

export const opensDispute = (payer: string): boolean => behaviourOf(payer) === 'disputes@payers.recur.test';

const accountAlphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A stable payer id per e-mail: PayPal's 13-character account id (no 0, 1, I or O). */
export function payerIdOf(email: string): string {
  // Every character is folded in first: two addresses that share their first 13 characters
  // (renewals-fail+a@…, renewals-fail+b@…) are two payers.
  let hash = 2166136261;
  for (let index = 0; index < email.length; index++) hash = Math.imul(hash ^ email.charCodeAt(index), 16777619) >>> 0;
  let id = '';
  for (let index = 0; id.length < 13; index++) {
    hash = Math.imul(hash ^ (email.charCodeAt(index % email.length) + index), 16777619) >>> 0;
    id += accountAlphabet[hash % accountAlphabet.length];
  }
  return id;
}

/** The sandbox's one merchant account, in the same form. */
export const merchantId = 'RECURSANDBX23';

export function payerName(email: string): { given_name: string; surname: string } {
  const local = email.split('@')[0] ?? 'test';
  return { given_name: 'Test', surname: local.charAt(0).toUpperCase() + local.slice(1) };
}
