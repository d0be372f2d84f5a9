import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { PageSettings } from '../../config/catalogue-schema.ts';
import type { PageLocale } from '../render-html-page.ts';
import { sharedText } from './page-text.ts';

const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

/** What frames every page: its language, title, the way back to the shop, and its own scripts (from /assets only). */
export type PageFrame = { locale: PageLocale; title: string; backUrl?: string | null; scripts?: readonly string[] };

export type PageRenderer = {
  /** The page `view` (a template under src/http/pages/templates, without `.eta`) in the layout. */
  render(view: string, frame: PageFrame, data: Record<string, unknown>): string;
};

/**
 * Server-rendered pages with Eta: every `<%= %>` is escaped (autoEscape), templates are read once
 * and kept. A view gets `it` = its data plus `locale`; the layout adds the shop's name and logo,
 * the shared words and the way back to the shop.
 */
export function createPageRenderer(shop: { name: string; pages: PageSettings }): PageRenderer {
  const eta = new Eta({ views: TEMPLATES_DIR, autoEscape: true, cache: true, autoTrim: false });
  return {
    render(view, frame, data) {
      const body = eta.render(`./${view}`, { ...data, locale: frame.locale });
      return eta.render('./layout', {
        locale: frame.locale,
        title: frame.title,
        backUrl: frame.backUrl ?? shop.pages.shop_url ?? null,
        scripts: frame.scripts ?? [],
        shop: { name: shop.name, logoUrl: shop.pages.logo_url ?? null },
        text: sharedText(frame.locale),
        body,
      });
    },
  };
}
