/** Digits after the point per currency, as Intl knows them (EUR 2, JPY 0). */
export function minorDigitsOf(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An amount a person typed ("10", "10.5", "10,50") as integer minor units of `currency`, without a
 * float in between; null when it is not a positive amount with at most the currency's decimals.
 */
export function parseDecimalAmount(text: string, currency: string): number | null {
  const match = /^(\d{1,12})(?:[.,](\d*))?$/.exec(text.trim());
  if (!match) return null;
  const digits = minorDigitsOf(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  const minor = Number(`${match[1]}${fraction.padEnd(digits, '0')}`);
  return Number.isSafeInteger(minor) && minor > 0 ? minor : null;
}

/** Minor units as the plain decimal a form field shows ("1000" EUR -> "10.00"). */
export function formatDecimalAmount(amountMinor: number, currency: string): string {
  const digits = minorDigitsOf(currency);
  if (digits === 0) return String(amountMinor);
  const text = String(amountMinor).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
