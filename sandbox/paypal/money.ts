/** Currencies PayPal writes without decimals. */
const zeroDecimal = new Set(['JPY', 'HUF', 'TWD']);

/** PayPal's `{ currency_code, value }` from integer minor units. */
export function money(minor: number, currency: string): { currency_code: string; value: string } {
  const digits = zeroDecimal.has(currency) ? 0 : 2;
  return { currency_code: currency, value: (minor / 10 ** digits).toFixed(digits) };
}

/** Integer minor units from PayPal's decimal text, or null when it is not an amount of that currency. */
export function toMinor(value: string, currency: string): number | null {
  const digits = zeroDecimal.has(currency) ? 0 : 2;
  const match = (digits === 0 ? /^\d{1,10}$/ : /^\d{1,10}(\.\d{1,2})?$/).exec(value);
  if (!match) return null;
  return Math.round(Number(value) * 10 ** digits);
}
