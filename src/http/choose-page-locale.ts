import type { PageLocale } from './render-html-page.ts';

const PAGE_LOCALES: readonly PageLocale[] = ['nl', 'en'];

/**
 * The browser's most preferred language recur writes pages in, from `Accept-Language`
 * (`nl-NL,nl;q=0.9,en;q=0.8` is nl); null when it names none of them (or only `*`).
 */
export function readAcceptedLocale(header: string | undefined): PageLocale | null {
  const ranked = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
      return { language: tag.split('-')[0]!, quality: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((entry) => Number.isFinite(entry.quality) && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return (ranked.find((entry) => (PAGE_LOCALES as readonly string[]).includes(entry.language))?.language as PageLocale | undefined) ?? null;
}

/**
 * The language of a page for a customer: their own locale when recur knows who they are (what
 * their notices use), else what their browser asks for, else the shop's DEFAULT_LOCALE.
 */
export function choosePageLocale(customerLocale: PageLocale | null, acceptLanguage: string | undefined, defaultLocale: PageLocale): PageLocale {
  return customerLocale ?? readAcceptedLocale(acceptLanguage) ?? defaultLocale;
}
