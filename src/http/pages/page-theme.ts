import type { PageSettings } from '../../config/catalogue-schema.ts';

/**
 * The shop's colours as a style sheet of its own (`/assets/theme.css`): the pages' policy allows
 * no inline style, so the configured colour reaches them as a custom property. A darker shade is
 * derived for hover and focus rings.
 */
export function renderThemeCss(pages: PageSettings): string {
  return `:root { --brand: ${pages.brand_colour}; --brand-dark: ${darken(pages.brand_colour, 0.25)}; }\n`;
}

function darken(hex: string, by: number): string {
  const channel = (start: number) => Math.round(parseInt(hex.slice(start, start + 2), 16) * (1 - by));
  return `#${[1, 3, 5].map((start) => channel(start).toString(16).padStart(2, '0')).join('')}`;
}

/** The Content-Security-Policy of recur's pages: everything from recur itself, the shop's logo from its origin. */
export function pageContentSecurityPolicy(pages: PageSettings): string {
  const images = ["'self'", ...(pages.logo_url ? [new URL(pages.logo_url).origin] : [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${images}`,
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}
