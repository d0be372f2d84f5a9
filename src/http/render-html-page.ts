import { escapeHtml } from '../shared/escape-html.ts';

/** The languages of recur's pages: the locales customers have. */
export type PageLocale = 'nl' | 'en';

/** One block of a page in one language (a bilingual page has one per language). */
export type PageSection = { lang: PageLocale; title: string; paragraphs: string[] };

/**
 * The one plain page a customer's browser gets from recur (notice links, the checkout return's
 * errors): no scripts, no external styles, every value escaped. `extra` is markup recur wrote itself.
 */
export function renderHtmlPage(lang: PageLocale, title: string, sections: PageSection[], extra = ''): string {
  const body = sections
    .map((section) => `<section lang="${section.lang}">\n<h1>${escapeHtml(section.title)}</h1>\n${section.paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('\n')}\n</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
${body}
${extra}
</body>
</html>
`;
}
