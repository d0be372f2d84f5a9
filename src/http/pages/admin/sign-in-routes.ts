import type { FastifyInstance, FastifyReply } from 'fastify';
import { generateSessionSecret, tokensEqual } from '../../../services/admin/admin-session-id.ts';
import { normalizeUsername } from '../../../services/admin/create-admin-user.ts';
import { signInAdmin, type SignInAttempt } from '../../../services/admin/sign-in-admin.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { adminCookieOptions, SESSION_COOKIE, SIGN_IN_COOKIE } from './admin-cookies.ts';
import { sendAdminMessage, sendAdminPage } from './admin-page.ts';
import { formField } from './form-field.ts';
import { SignInLimiter } from './sign-in-limiter.ts';

const TITLE = 'Sign in';
const WRONG = 'The username and password, or the API key, were not right.';

/** What a sign-in form posted: a username and password, or an admin API key; null when neither is whole. */
function readAttempt(body: unknown): SignInAttempt | null {
  const apiKey = formField(body, 'api_key')?.trim();
  if (apiKey) return { kind: 'api_key', key: apiKey };
  const username = formField(body, 'username')?.trim();
  const password = formField(body, 'password');
  return username && password ? { kind: 'password', username, password } : null;
}

/**
 * GET shows the form with a fresh CSRF token, kept in a cookie of its own: there is no session yet
 * to bind it to, and a form posted from another site arrives without that (SameSite=Strict) cookie.
 * POST checks that token, then the rate limit, then the credentials, and on success sets the
 * session cookie and sends the browser to /admin (303).
 */
export function signInRoutes(admin: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  const limiter = new SignInLimiter();
  const cookie = adminCookieOptions(ctx);

  const showForm = (reply: FastifyReply, status: number, notice: { text: string; kind: 'error' | 'info' } | null, username = '') => {
    const csrf = generateSessionSecret();
    reply.setCookie(SIGN_IN_COOKIE, csrf, cookie);
    return sendAdminPage(reply, renderer, status, 'admin/sign-in', TITLE, { csrf, notice, username });
  };

  admin.get('/sign-in', { schema: { hide: true } }, async (request, reply) => {
    const expired = (request.query as Record<string, unknown>).expired === '1';
    return showForm(reply, 200, expired ? { text: 'Your session ended after a while without use. Please sign in again.', kind: 'info' } : null);
  });

  admin.post('/sign-in', { schema: { hide: true } }, async (request, reply) => {
    const token = formField(request.body, '_csrf');
    const expected = request.cookies[SIGN_IN_COOKIE];
    if (!token || !expected || !tokensEqual(token, expected)) {
      return sendAdminMessage(reply, renderer, 403, {
        heading: 'This form cannot be used',
        paragraphs: ['The sign-in form was too old or did not come from this site. Open the sign-in page again.'],
        action: { href: '/admin/sign-in', label: 'Sign in' },
      });
    }
    const attempt = readAttempt(request.body);
    const username = attempt?.kind === 'password' ? normalizeUsername(attempt.username) : null;
    const retryAfter = limiter.retryAfterSeconds(username, request.ip);
    if (retryAfter) {
      reply.header('retry-after', String(retryAfter));
      return sendAdminMessage(reply, renderer, 429, {
        heading: 'Too many sign-in attempts',
        paragraphs: [`Signing in failed too often. Try again in ${Math.ceil(retryAfter / 60)} minutes.`],
        action: null,
      });
    }
    const outcome = attempt ? await signInAdmin(ctx, attempt) : { ok: false as const };
    if (!outcome.ok) {
      limiter.recordFailure(username, request.ip);
      return showForm(reply, 401, { text: WRONG, kind: 'error' }, username ?? '');
    }
    reply.clearCookie(SIGN_IN_COOKIE, cookie);
    reply.setCookie(SESSION_COOKIE, outcome.sessionId, cookie);
    return reply.redirect('/admin', 303);
  });
}
