import type { FastifyInstance } from 'fastify';
import { readOverview } from '../../../services/admin/read-overview.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { adminNav } from './admin-nav.ts';
import { sendAdminPage } from './admin-page.ts';
import { formatPercent, overviewCharts } from './overview-charts.ts';

export function overviewRoutes(admin: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  admin.get('/', { schema: { hide: true } }, async (request, reply) => {
    const overview = await readOverview(ctx);
    return sendAdminPage(reply, renderer, 200, 'admin/overview', 'Overview', { nav: adminNav(request, 'overview'), overview, charts: overviewCharts(overview.history), percent: formatPercent });
  });
}
