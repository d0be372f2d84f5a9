import type { CookieSerializeOptions } from '@fastify/cookie';
import type { ServiceContext } from '../../../services/service-context.ts';

/** The session's id; the browser sends it to /admin pages only, and never on a request from another site. */
export const SESSION_COOKIE = 'recur_admin_session';
/** The sign-in form's own CSRF token, before there is a session to bind one to. */
export const SIGN_IN_COOKIE = 'recur_admin_sign_in';

/** httpOnly, SameSite=Strict, Path=/admin; Secure when recur is reached over https (PUBLIC_BASE_URL). */
export function adminCookieOptions(ctx: Pick<ServiceContext, 'config'>): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'strict', path: '/admin', secure: ctx.config.PUBLIC_BASE_URL?.startsWith('https:') ?? false };
}
