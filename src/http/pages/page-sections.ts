import { adminPages } from './admin/admin-pages.ts';
import { portalPages } from './portal/portal-pages.ts';
import type { PageRoutes } from './register-pages.ts';

/** Every set of page routes recur serves, each in its own folder under src/http/pages/. */
export const PAGE_SECTIONS: readonly PageRoutes[] = [portalPages, adminPages];
