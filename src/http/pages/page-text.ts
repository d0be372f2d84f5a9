import type { PageLocale } from '../render-html-page.ts';

/** The words every page shares, in the customer's language; each page adds its own table. */
const SHARED = {
  nl: { skipToContent: 'Naar de inhoud', backToShop: 'Terug naar de winkel', poweredBy: 'Abonnementen via recur' },
  en: { skipToContent: 'Skip to content', backToShop: 'Back to the shop', poweredBy: 'Subscriptions by recur' },
} as const satisfies Record<PageLocale, Record<string, string>>;

export type SharedText = (typeof SHARED)[PageLocale];

export const sharedText = (locale: PageLocale): SharedText => SHARED[locale];

/** A page's own table, checked to have every key in both languages. */
export function pageText<Keys extends string>(table: Record<PageLocale, Record<Keys, string>>): (locale: PageLocale) => Record<Keys, string> {
  return (locale) => table[locale];
}
