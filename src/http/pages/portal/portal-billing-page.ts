import type { FastifyReply } from 'fastify';
import type { PortalViewer } from '../../../services/portal/read-portal-session.ts';
import type { PageLocale } from '../../render-html-page.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { billingText } from './portal-billing-text.ts';
import type { PortalPageKit } from './portal-page-kit.ts';
import { portalText } from './portal-text.ts';

export type PortalNavItem = 'overview' | 'payments';

/** The portal's navigation (templates/portal/nav.eta): the pages every session has, the current one marked. */
export function portalNav(locale: PageLocale, current: PortalNavItem | null) {
  const words = billingText(locale);
  return {
    label: words.navLabel,
    items: [
      { href: '/portal', label: words.navOverview, current: current === 'overview' },
      { href: '/portal/payments', label: words.navPayments, current: current === 'payments' },
    ],
  };
}

/** A billing page of the portal in the viewer's language, with the navigation and both word tables. */
export function sendBillingPage(kit: PortalPageKit, renderer: PageRenderer, reply: FastifyReply, viewer: PortalViewer, page: { template: string; title: string; nav: PortalNavItem | null; status?: number; scripts?: readonly string[] }, data: Record<string, unknown>): FastifyReply {
  const text = { ...portalText(viewer.locale), ...billingText(viewer.locale) };
  const html = renderer.render(page.template, { locale: viewer.locale, title: page.title, backUrl: viewer.returnUrl, ...(page.scripts ? { scripts: page.scripts } : {}) }, { ...data, text, nav: portalNav(viewer.locale, page.nav) });
  return kit.send(reply, page.status ?? 200, html);
}
