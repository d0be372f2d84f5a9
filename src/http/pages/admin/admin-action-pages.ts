import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { auditLogRoutes } from './audit-log-routes.ts';
import { createAdminErrorPage } from './admin-error-page.ts';
import { customerBanRoutes } from './customer-ban-routes.ts';
import { notificationPageRoutes } from './notification-page-routes.ts';
import { subscriptionActionRoutes } from './subscription-action-routes.ts';
import { subscriptionPageRoutes } from './subscription-page-routes.ts';

/**
 * The signed-in pages that act: subscriptions (cancel, resume, switch), ban and unban, notices
 * (retry) and the audit log. In a scope of their own (inside the session check) whose failures are
 * pages that say what was refused, not the API's JSON.
 */
export async function adminActionPages(signedIn: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): Promise<void> {
  await signedIn.register(async (scope) => {
    scope.setErrorHandler(createAdminErrorPage(renderer));
    subscriptionPageRoutes(scope, ctx, renderer);
    subscriptionActionRoutes(scope, ctx, renderer);
    customerBanRoutes(scope, ctx);
    notificationPageRoutes(scope, ctx, renderer);
    auditLogRoutes(scope, ctx, renderer);
  });
}
