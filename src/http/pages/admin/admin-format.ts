/** Minor units as the currency writes them: `EUR 1,234.50`, `JPY 1,200`; exact, no float in between. */
export function formatMoney(amountMinor: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const sign = amountMinor < 0 ? '-' : '';
  const units = BigInt(Math.abs(amountMinor));
  const scale = 10n ** BigInt(digits);
  const whole = (units / scale).toLocaleString('en');
  const fraction = digits > 0 ? `.${(units % scale).toString().padStart(digits, '0')}` : '';
  return `${sign}${currency} ${whole}${fraction}`;
}

/** `2026-03-01 10:00 UTC`; staff read one time zone, the one recur stores. */
export function formatTime(at: Date | null): string {
  return at ? `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '—';
}

/** The view helpers every dashboard template gets as `it.fmt`. */
export const adminFormat = { money: formatMoney, time: formatTime } as const;
