import type { ServiceContext } from '../service-context.ts';

/** The longest a session lives however busy it is: a stolen cookie does not work for ever. */
export const ADMIN_SESSION_MAX_MS = 12 * 3_600_000;

/** A session last seen before this is idle past ADMIN_SESSION_IDLE_MINUTES and ends. */
export const idleCutoff = (ctx: Pick<ServiceContext, 'config'>, now: Date): Date => new Date(now.getTime() - ctx.config.ADMIN_SESSION_IDLE_MINUTES * 60_000);
