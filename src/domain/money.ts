/**
 * An amount of money in integer minor units (cents for EUR) and an ISO 4217 code. Floats never
 * carry money here: 0.1 + 0.2 is not 0.3, and a rounding error on an invoice is a support ticket.
 */
export type Money = { readonly amountMinor: number; readonly currency: string };

const CURRENCY_CODE = /^[A-Z]{3}$/;

/**
 * Throws rather than returning an error: a fractional or unsafe amount, or a lower-case code,
 * can only come from a bug, since the config schema and the adapters hand us validated values.
 */
export function createMoney(amountMinor: number, currency: string): Money {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new RangeError(`amountMinor must be a safe integer number of minor units, got ${amountMinor}`);
  }
  if (!CURRENCY_CODE.test(currency)) {
    throw new RangeError(`currency must be an upper-case ISO 4217 code such as EUR, got "${currency}"`);
  }
  // Negating or rounding a zero credit yields -0, which prints as 0 but differs under Object.is.
  return { amountMinor: amountMinor === 0 ? 0 : amountMinor, currency };
}

export function createZeroMoney(currency: string): Money {
  return createMoney(0, currency);
}

/** Adding two currencies is a programming error; callers that can meet one check currencies first. */
export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) {
    throw new RangeError(`cannot add ${a.currency} to ${b.currency}`);
  }
  return createMoney(a.amountMinor + b.amountMinor, a.currency);
}

export function negateMoney(money: Money): Money {
  return createMoney(-money.amountMinor, money.currency);
}

export function isSameCurrency(a: { currency: string }, b: { currency: string }): boolean {
  return a.currency === b.currency;
}
