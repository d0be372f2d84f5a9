import type { LightMyRequestResponse } from 'fastify';
import { createAdminUser } from '../../src/services/admin/create-admin-user.ts';
import type { TestApp } from '../support/test-app.ts';

export const ADMIN = { username: 'anna', password: 'correct horse battery staple' } as const;

const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;

/** The value of a cookie a response sets, or null. */
export function setCookie(response: LightMyRequestResponse, name: string): { value: string; header: string } | null {
  const headers = response.headers['set-cookie'];
  const all = headers === undefined ? [] : Array.isArray(headers) ? headers : [headers];
  const header = all.find((line) => line.startsWith(`${name}=`));
  return header ? { value: header.slice(name.length + 1, header.indexOf(';')), header } : null;
}

/** The value of a hidden field named `name` in a page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]+)"`).exec(html);
  if (!match) throw new Error(`no ${name} field in the page`);
  return match[1]!;
}

export const createTestAdmin = (t: TestApp) => createAdminUser(t.ctx, ADMIN, 'test');

/** Opens the sign-in form (its token and cookie) and posts `fields` with them, as a browser does. */
export async function postSignIn(t: TestApp, fields: Record<string, string>, remoteAddress = '127.0.0.1'): Promise<LightMyRequestResponse> {
  const form = await t.app.inject({ method: 'GET', url: '/admin/sign-in', remoteAddress });
  const token = setCookie(form, 'recur_admin_sign_in')!.value;
  return t.app.inject({
    method: 'POST',
    url: '/admin/sign-in',
    remoteAddress,
    headers: { ...FORM, cookie: `recur_admin_sign_in=${token}` },
    payload: new URLSearchParams({ _csrf: hiddenField(form.body, '_csrf'), ...fields }).toString(),
  });
}

export type AdminBrowser = {
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse>;
  /** The CSRF token the session's pages carry. */
  csrf(): Promise<string>;
};

/** Signs in with the test admin's password and returns requests that carry the session cookie. */
export async function signIn(t: TestApp, fields: Record<string, string> = ADMIN): Promise<AdminBrowser> {
  const signedIn = await postSignIn(t, fields);
  if (signedIn.statusCode !== 303) throw new Error(`sign-in failed: ${signedIn.statusCode} ${signedIn.body}`);
  const cookie = `recur_admin_session=${setCookie(signedIn, 'recur_admin_session')!.value}`;
  const browser: AdminBrowser = {
    get: (url) => t.app.inject({ method: 'GET', url, headers: { cookie } }),
    post: (url, form) => t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: new URLSearchParams(form).toString() }),
    csrf: async () => hiddenField((await browser.get('/admin')).body, '_csrf'),
  };
  return browser;
}
