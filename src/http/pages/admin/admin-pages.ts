import type { PageRoutes } from '../register-pages.ts';
import { adminActionPages } from './admin-action-pages.ts';
import { customerPageRoutes } from './customer-page-routes.ts';
import { overviewRoutes } from './overview-routes.ts';
import { reconciliationPageRoutes } from './reconciliation-page-routes.ts';
import { paymentListRoutes } from './payment-list-routes.ts';
import { paymentRefundRoutes } from './payment-refund-routes.ts';
import { requireAdminSession } from './require-admin-session.ts';
import { signInRoutes } from './sign-in-routes.ts';
import { signOutRoute } from './sign-out-route.ts';
import { webhookInboxRoutes } from './webhook-inbox-routes.ts';

/**
 * The admin dashboard under /admin, in English: the sign-in page for everyone, every other page
 * only with a session (requireAdminSession), each POST with the session's CSRF token.
 */
export const adminPages: PageRoutes = async (pages, ctx, renderer) => {
  await pages.register(
    async (admin) => {
      signInRoutes(admin, ctx, renderer);
      await admin.register(async (signedIn) => {
        requireAdminSession(signedIn, ctx, renderer);
        overviewRoutes(signedIn, ctx, renderer);
        customerPageRoutes(signedIn, ctx, renderer);
        await adminActionPages(signedIn, ctx, renderer);
        webhookInboxRoutes(signedIn, ctx, renderer);
        reconciliationPageRoutes(signedIn, ctx, renderer);
        paymentListRoutes(signedIn, ctx, renderer);
        paymentRefundRoutes(signedIn, ctx, renderer);
        signOutRoute(signedIn, ctx);
      });
    },
    { prefix: '/admin' },
  );
};
