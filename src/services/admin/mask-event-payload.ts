/** What a masked value reads as on the dashboard. */
export const MASKED = '[masked]';

/**
 * Keys whose value is a credential or card/bank data wherever it sits in an event: client
 * secrets, tokens, passwords, keys, signatures, card verification codes, card fingerprints (they
 * follow one card across shops), account numbers, and the links to an invoice's hosted page, its
 * PDF and a bank transfer's instructions (whoever holds one can pay, or read, the invoice: ADR
 * 0042). The last four digits, expiry and brand stay: staff need them to recognise a card, and
 * they are not card data a thief can use.
 */
const SECRET_KEY = /secret|token|password|passwd|authorization|api_?key|signature|cvc|cvv|fingerprint|iban|account_number|routing_number|card_number|hosted_invoice_url|invoice_pdf|hosted_instructions_url/i;

/** Values that are credentials whatever their key says: provider keys, webhook secrets, client secrets, bearer tokens and JWTs. */
const SECRET_VALUES: readonly RegExp[] = [
  /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]+/g,
  /\bwhsec_[A-Za-z0-9+/=]+/g,
  /\b[A-Za-z0-9]+_secret_[A-Za-z0-9]+/g,
  /\bBearer\s+[^\s"]+/gi,
  /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g,
  /\bA21AA[\w-]{10,}/g,
];

/** 13 to 19 digits (spaces or dashes between groups allowed) that pass the Luhn check: a card number. */
const DIGIT_RUN = /\b\d(?:[ -]?\d){12,18}\b/g;

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

type Masking = { count: number };

function maskText(text: string, masking: Masking): string {
  let masked = text;
  for (const pattern of SECRET_VALUES) {
    masked = masked.replace(pattern, () => {
      masking.count++;
      return MASKED;
    });
  }
  return masked.replace(DIGIT_RUN, (run) => {
    if (!passesLuhn(run.replace(/[ -]/g, ''))) return run;
    masking.count++;
    return MASKED;
  });
}

function maskValue(value: unknown, masking: Masking): unknown {
  if (typeof value === 'string') return maskText(value, masking);
  if (typeof value === 'number' && Number.isInteger(value) && value > 999_999_999_999) return maskText(String(value), masking) === MASKED ? MASKED : value;
  if (Array.isArray(value)) return value.map((item) => maskValue(item, masking));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      if (SECRET_KEY.test(key) && inner !== null && inner !== '' && typeof inner !== 'boolean') {
        masking.count++;
        return [key, MASKED];
      }
      return [key, maskValue(inner, masking)];
    }),
  );
}

/**
 * A provider event as the dashboard shows it: every credential and card or bank number replaced
 * by `[masked]`, by key and by the look of the value (ADR 0039). E-mail addresses, names and
 * postal addresses stay: the same staff see them on the customer's page, and they are what an
 * event is matched to a customer by.
 */
export function maskEventPayload(payload: unknown): { payload: unknown; masked: number } {
  const masking: Masking = { count: 0 };
  return { payload: maskValue(payload, masking), masked: masking.count };
}
