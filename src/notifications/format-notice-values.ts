import type { NoticeLocale } from './notice-catalogue.ts';

/**
 * How a notice writes amounts, dates and frequencies in each locale. English notices follow
 * British conventions (`30 March 2026`, `€29.99`): recur's shops are European, and the US order
 * (`March 30, 2026`) reads as a different date to half of them.
 */
const LOCALE_TAGS: Record<NoticeLocale, string> = { nl: 'nl-NL', en: 'en-GB' };

/** `€ 29,99` in nl (Intl puts a no-break space after the sign), `€29.99` in en. */
export function formatAmount(amountMinor: number, currency: string, locale: NoticeLocale): string {
  const formatter = new Intl.NumberFormat(LOCALE_TAGS[locale], { style: 'currency', currency });
  // Minor units per currency come from Intl too: JPY has none, so 500 is ¥500, not ¥5.
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  return formatter.format(amountMinor / 10 ** digits);
}

/** A whole number with the locale's grouping: 1.234 in nl, 1,234 in en. */
export function formatCount(count: number, locale: NoticeLocale): string {
  return new Intl.NumberFormat(LOCALE_TAGS[locale]).format(count);
}

/** The calendar date of an instant where the reader lives: 2026-03-30T23:30Z is 31 maart 2026 in Amsterdam. */
export function formatDate(instant: string | Date, locale: NoticeLocale, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALE_TAGS[locale], { dateStyle: 'long', timeZone }).format(new Date(instant));
}

/** The time of day of an instant where the reader lives: 14:05 in both locales (24-hour clock). */
export function formatTime(instant: string | Date, locale: NoticeLocale, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALE_TAGS[locale], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(instant));
}

/** The date and time of an instant where the reader lives: 5 december 2026 om 10:15, December 5, 2026 at 10:15 AM. */
export function formatDateTime(instant: string | Date, locale: NoticeLocale, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALE_TAGS[locale], { dateStyle: 'long', timeStyle: 'short', timeZone }).format(new Date(instant));
}

/** A report month (`2026-03`) as words: maart 2026, March 2026. Months are UTC calendar months. */
export function formatMonth(month: string, locale: NoticeLocale): string {
  const [year, monthNumber] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALE_TAGS[locale], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year!, monthNumber! - 1, 1)));
}

const FREQUENCIES: Record<NoticeLocale, Record<'month' | 'year', string>> = {
  nl: { month: 'per maand', year: 'per jaar' },
  en: { month: 'per month', year: 'per year' },
};

/** The words after a price: `€ 29,99 per maand`, `€29.99 per month`. */
export function formatFrequency(interval: 'month' | 'year', locale: NoticeLocale): string {
  return FREQUENCIES[locale][interval];
}
