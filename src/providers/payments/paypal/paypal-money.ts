import { createMoney, type Money } from '../../../domain/money.ts';

/** PayPal's currencies without a minor unit (PayPal's currency-codes reference: HUF, JPY and TWD take no decimals). */
const ZERO_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set(['HUF', 'JPY', 'TWD']);
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

export function minorUnitDigits(currency: string): number {
  return ZERO_DECIMAL_CURRENCIES.has(currency) ? 0 : 2;
}

/**
 * PayPal's `{ currency_code, value: "29.99" }` as recur's integer minor units, without floats. A
 * value with more decimals than the currency has is refused (throws): PayPal never sends one, and
 * rounding money silently would hide the bug that produced it.
 */
export function toMoney(amount: { currencyCode: string; value: string }): Money {
  const currency = amount.currencyCode.toUpperCase();
  const match = DECIMAL.exec(amount.value.trim());
  if (!match) throw new RangeError(`PayPal amount "${amount.value}" ${currency} is not a decimal number`);
  const [, sign, whole, fraction = ''] = match;
  const digits = minorUnitDigits(currency);
  if (fraction.replace(/0+$/, '').length > digits) throw new RangeError(`PayPal amount "${amount.value}" ${currency} has more decimals than ${currency} has`);
  const minor = Number(`${whole}${fraction.padEnd(digits, '0').slice(0, digits)}`);
  return createMoney(sign === '-' ? -minor : minor, currency);
}

/** The wire format's `{ currency_code, value }`. */
export function toMoneyFromWire(amount: { currency_code: string; value: string }): Money {
  return toMoney({ currencyCode: amount.currency_code, value: amount.value });
}

/** recur's minor units as PayPal's decimal string ("2999" EUR -> "29.99"). */
export function toPaypalValue(money: Money): string {
  const digits = minorUnitDigits(money.currency);
  const negative = money.amountMinor < 0;
  const text = String(Math.abs(money.amountMinor)).padStart(digits + 1, '0');
  const value = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative ? `-${value}` : value;
}
