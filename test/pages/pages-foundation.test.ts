import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPages } from '../../src/http/pages/register-pages.ts';
import type { ServiceContext } from '../../src/services/service-context.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The ground every page stands on: assets served by recur itself, the shop's colour as a style
 * sheet, Eta with every value escaped, in the layout with the shop's name and the way back, forms
 * parsed, and the pages' strict policy (no inline script or style; the logo's origin for images).
 */
describe('the pages foundation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
  });
  afterAll(() => t.close());

  it('serves its style sheets from recur itself, the shop colour among them', async () => {
    const css = await t.app.inject({ method: 'GET', url: '/assets/recur.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).toContain(':focus-visible');
    const theme = await t.app.inject({ method: 'GET', url: '/assets/theme.css' });
    expect(theme.body).toContain('--brand: #1f4e79;');
    expect((await t.app.inject({ method: 'GET', url: '/assets/../package.json' })).statusCode).toBe(404);
  });

  it('renders a page in the layout, escaped, under the strict policy; parses a form post', async () => {
    const ctx = { ...t.ctx, config: { ...t.ctx.config, SHOP_NAME: 'Sportwinkel <de Vries>', catalogue: { ...t.ctx.config.catalogue, pages: { brand_colour: '#0b5d1e', logo_url: 'https://cdn.sportwinkel.test/logo.svg', shop_url: 'https://sportwinkel.test/' } } } } as ServiceContext;
    const app = Fastify();
    await registerPages(app, ctx, [
      (pages, _ctx, renderer) => {
        pages.get('/probe', async (_request, reply) => reply.type('text/html; charset=utf-8').send(renderer.render('message', { locale: 'nl', title: 'Proef' }, { heading: 'Verlopen', paragraphs: ['<script>alert(1)</script>'], action: null })));
        pages.post('/probe', async (request) => request.body);
      },
    ]);
    const page = await app.inject({ method: 'GET', url: '/probe' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="nl">');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('alt="Sportwinkel &lt;de Vries&gt;"');
    expect(page.body).toContain('href="https://sportwinkel.test/"');
    expect(page.body).toContain('Naar de inhoud');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).toContain("img-src 'self' https://cdn.sportwinkel.test");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect((await app.inject({ method: 'GET', url: '/assets/theme.css' })).body).toContain('--brand: #0b5d1e;');
    const posted = await app.inject({ method: 'POST', url: '/probe', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'plan=yearly&consent=on' });
    expect(posted.json()).toEqual({ plan: 'yearly', consent: 'on' });
    await app.close();
  });
});
