import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminUser } from '../../src/services/admin/create-admin-user.ts';
import { createApiKey } from '../../src/services/api-keys/create-api-key.ts';
import { revokeApiKey } from '../../src/services/api-keys/revoke-api-key.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { ADMIN, createTestAdmin, hiddenField, postSignIn, setCookie, signIn } from './admin-support.ts';

const MINUTE = 60_000;

describe.each(testDatabaseKinds)('signing in to the admin dashboard on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    await createTestAdmin(t);
  });
  afterAll(() => t?.close());

  it('sends every page to the sign-in page without a session, a forged or unknown cookie too', async () => {
    for (const url of ['/admin', '/admin/customers?q=anna', '/admin/customers/cust-1']) {
      for (const cookie of [undefined, 'recur_admin_session=not-a-session']) {
        const response = await t.app.inject({ method: 'GET', url, ...(cookie ? { headers: { cookie } } : {}) });
        expect([url, response.statusCode, response.headers.location]).toEqual([url, 303, '/admin/sign-in']);
      }
    }
    const signOut = await t.app.inject({ method: 'POST', url: '/admin/sign-out', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '_csrf=x' });
    expect([signOut.statusCode, signOut.headers.location]).toEqual([303, '/admin/sign-in']);
  });

  it('shows a labelled form under the pages policy, with a CSRF token bound to a SameSite=Strict cookie', async () => {
    const form = await t.app.inject({ method: 'GET', url: '/admin/sign-in' });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<label for="username">Username</label>');
    expect(form.body).toContain('<label for="password">Password</label>');
    expect(form.body).toContain('<label for="api_key">');
    expect(String(form.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(form.headers['cache-control']).toBe('no-store');
    const cookie = setCookie(form, 'recur_admin_sign_in')!;
    expect(cookie.value).toBe(hiddenField(form.body, '_csrf'));
    expect(cookie.header).toMatch(/; Path=\/admin; HttpOnly; SameSite=Strict$/);
  });

  it('signs in with the password: an httpOnly, SameSite=Strict session cookie on /admin, 303 to the overview, audited', async () => {
    const response = await postSignIn(t, { username: 'Anna', password: ADMIN.password });
    expect([response.statusCode, response.headers.location]).toEqual([303, '/admin']);
    const session = setCookie(response, 'recur_admin_session')!;
    expect(session.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.header).toMatch(/; Path=\/admin; HttpOnly; SameSite=Strict$/);
    expect(session.header).not.toContain('Secure');
    const overview = await t.app.inject({ method: 'GET', url: '/admin', headers: { cookie: `recur_admin_session=${session.value}` } });
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('Signed in as anna');
    // Only a hash of the cookie's value is stored.
    const stored = await t.ctx.db.query<{ id_hash: string }>('SELECT id_hash FROM admin_sessions');
    expect(stored.rows.map((row) => row.id_hash)).not.toContain(session.value);
    const audit = await t.ctx.db.query<{ actor: string; action: string }>("SELECT actor, action FROM audit_log WHERE entity = 'admin_user'");
    expect(audit.rows).toContainEqual({ actor: 'admin:anna', action: 'admin_sign_in' });
  });

  it('refuses a wrong password, an unknown user and a half-filled form with the form again (401), and no session', async () => {
    for (const fields of [{ username: 'anna', password: 'wrong password here' }, { username: 'nobody', password: ADMIN.password }, { username: 'anna', password: '' }]) {
      const response = await postSignIn(t, fields, '10.9.9.9');
      expect(response.statusCode).toBe(401);
      expect(response.body).toContain('were not right');
      expect(setCookie(response, 'recur_admin_session')).toBeNull();
    }
  });

  it('signs in with an admin API key, not with a read key; revoking the key ends its sessions', async () => {
    const admin = await createApiKey(t.ctx, 'dashboard', 'test', 'admin');
    const read = await createApiKey(t.ctx, 'frontend', 'test', 'read');
    expect((await postSignIn(t, { api_key: read.key }, '10.8.8.8')).statusCode).toBe(401);
    const browser = await signIn(t, { api_key: admin.key });
    const overview = await browser.get('/admin');
    expect(overview.body).toContain('Signed in as API key &quot;dashboard&quot;');
    await revokeApiKey(t.ctx, admin.record.id, 'test');
    const after = await browser.get('/admin');
    expect([after.statusCode, after.headers.location]).toEqual([303, '/admin/sign-in']);
  });

  it('refuses a sign-in posted without the form token, with a wrong one, or without its cookie (403)', async () => {
    const form = await t.app.inject({ method: 'GET', url: '/admin/sign-in' });
    const token = hiddenField(form.body, '_csrf');
    const post = (payload: string, cookie?: string) =>
      t.app.inject({ method: 'POST', url: '/admin/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) }, payload });
    const credentials = `username=anna&password=${encodeURIComponent(ADMIN.password)}`;
    for (const response of [await post(credentials, `recur_admin_sign_in=${token}`), await post(`_csrf=${token}x&${credentials}`, `recur_admin_sign_in=${token}`), await post(`_csrf=${token}&${credentials}`)]) {
      expect(response.statusCode).toBe(403);
      expect(setCookie(response, 'recur_admin_session')).toBeNull();
    }
  });

  it('refuses a signed-in POST without the session CSRF token or with another session token (403); signs out with it', async () => {
    const browser = await signIn(t);
    const other = await signIn(t);
    const token = await browser.csrf();
    expect((await browser.post('/admin/sign-out', {})).statusCode).toBe(403);
    expect((await browser.post('/admin/sign-out', { _csrf: await other.csrf() })).statusCode).toBe(403);
    expect((await browser.get('/admin')).statusCode).toBe(200);
    const out = await browser.post('/admin/sign-out', { _csrf: token });
    expect([out.statusCode, out.headers.location]).toEqual([303, '/admin/sign-in']);
    expect(setCookie(out, 'recur_admin_session')!.header).toContain('Expires=Thu, 01 Jan 1970');
    expect((await browser.get('/admin')).headers.location).toBe('/admin/sign-in');
    expect((await other.get('/admin')).statusCode).toBe(200);
  });

  it('ends a session idle for longer than ADMIN_SESSION_IDLE_MINUTES (30), however often it was used before', async () => {
    const browser = await signIn(t);
    for (let step = 0; step < 3; step++) {
      t.clock.advance(29 * MINUTE);
      expect((await browser.get('/admin')).statusCode).toBe(200);
    }
    t.clock.advance(31 * MINUTE);
    const expired = await browser.get('/admin/customers');
    expect([expired.statusCode, expired.headers.location]).toEqual([303, '/admin/sign-in?expired=1']);
    expect((await t.app.inject({ method: 'GET', url: '/admin/sign-in?expired=1' })).body).toContain('Your session ended after a while without use');
    // Gone, not only refused: moving the clock back does not bring it back.
    t.clock.advance(-31 * MINUTE);
    expect((await browser.get('/admin')).headers.location).toBe('/admin/sign-in');
  });

  it('ends even a busy session after 12 hours', async () => {
    const browser = await signIn(t);
    for (let minutes = 25; minutes < 12 * 60; minutes += 25) {
      t.clock.advance(25 * MINUTE);
      expect((await browser.get('/admin')).statusCode, `after ${minutes} minutes`).toBe(200);
    }
    t.clock.advance(25 * MINUTE);
    expect((await browser.get('/admin')).headers.location).toBe('/admin/sign-in?expired=1');
  });

  it('rate-limits wrong sign-ins: five per username or per address in 15 minutes, then 429 even for the right password', async () => {
    // Five wrong from one address, each for another name: that address is refused, others are not.
    for (let n = 1; n <= 5; n++) expect((await postSignIn(t, { username: `guess${n}`, password: 'wrong password here' }, '10.1.1.1')).statusCode).toBe(401);
    const limited = await postSignIn(t, ADMIN, '10.1.1.1');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toContain('Too many sign-in attempts');
    expect((await postSignIn(t, ADMIN, '10.1.1.2')).statusCode).toBe(303);

    // Five wrong for one name from five addresses: that name is refused from everywhere, others are not.
    await createAdminUser(t.ctx, { username: 'bram', password: ADMIN.password }, 'test');
    for (let n = 1; n <= 5; n++) expect((await postSignIn(t, { username: 'bram', password: 'wrong password here' }, `10.2.2.${n}`)).statusCode).toBe(401);
    expect((await postSignIn(t, { username: 'BRAM', password: ADMIN.password }, '10.3.3.3')).statusCode).toBe(429);
    expect((await postSignIn(t, ADMIN, '10.3.3.3')).statusCode).toBe(303);
  });
});

describe('the admin session cookie behind https', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { settings: { PUBLIC_BASE_URL: 'https://billing.sportwinkel.test', ADMIN_SESSION_IDLE_MINUTES: 5 } });
    await createTestAdmin(t);
  });
  afterAll(() => t?.close());

  it('is Secure when PUBLIC_BASE_URL is https, and lapses after the configured idle minutes', async () => {
    const response = await postSignIn(t, ADMIN);
    const session = setCookie(response, 'recur_admin_session')!;
    expect(session.header).toMatch(/; Path=\/admin; HttpOnly; Secure; SameSite=Strict$/);
    const cookie = { cookie: `recur_admin_session=${session.value}` };
    t.clock.advance(4 * MINUTE);
    expect((await t.app.inject({ method: 'GET', url: '/admin', headers: cookie })).statusCode).toBe(200);
    t.clock.advance(6 * MINUTE);
    expect((await t.app.inject({ method: 'GET', url: '/admin', headers: cookie })).headers.location).toBe('/admin/sign-in?expired=1');
  });
});
