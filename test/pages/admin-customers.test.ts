import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/db/repositories/audit-log-repository.ts';
import { insertNotice } from '../../src/db/repositories/notification-outbox-repository.ts';
import { upsertPayment } from '../../src/db/repositories/payment-repository.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, signIn, type AdminBrowser } from './admin-support.ts';

/** The shop ids a results page links to, in order. */
const linkedIds = (html: string): string[] => [...html.matchAll(/<a href="\/admin\/customers\/([^"]+)">/g)].map((match) => decodeURIComponent(match[1]!));

describe.each(testDatabaseKinds)('the admin customer pages on %s', (kind) => {
  let t: TestApp;
  let browser: AdminBrowser;
  let subscriptionId: string;

  beforeAll(async () => {
    t = await startTestApp(kind);
    await createTestAdmin(t);
    browser = await signIn(t);
    // A minute apart: results are newest first.
    const seed = async (externalId: string, extra: Record<string, unknown>) => {
      t.clock.advance(60_000);
      return seedCustomer(t, externalId, extra);
    };
    const anna = await seedCustomer(t, 'cust-anna', { email: 'anna@sportwinkel.test', name: 'Anna de Vries' });
    await seed('cust-bram', { email: 'bram@example.nl', name: 'Bram <b>Jansen</b>' });
    await seed('shop_1', { email: 'one@example.nl', name: 'Piet 100% Sport' });
    await seed('shopx1', { email: 'x1@example.nl', name: 'Piet 1000 Sport' });
    await seed('cust-slash', { email: 'slash@example.nl', name: 'Back\\slash Sport' });
    await seed('mail:lotte@shop.test', { email: 'lotte@example.nl' });

    subscriptionId = await seedSubscription(t, anna, { planId: 'yearly' });
    const payment = await upsertPayment(
      t.ctx.db,
      { customerId: anna, subscriptionId, provider: 'stripe', providerPaymentId: 'pi_anna_1', kind: 'subscription', amountMinor: 29_990, currency: 'EUR', amountRefundedMinor: 1_000, status: 'partially_refunded', methodSummary: 'visa •••• 4242', invoiceAt: t.clock.now(), providerUpdatedAt: t.clock.now() },
      t.clock.now(),
    );
    if (payment.outcome === 'unchanged') throw new Error('payment not seeded');
    await insertNotice(t.ctx.db, { businessKey: `renewal-reminder:${subscriptionId}`, customerId: anna, subscriptionId, channel: 'email', template: 'renewal-reminder', recipient: 'anna@sportwinkel.test', locale: 'nl', payload: {}, dueAt: t.clock.now(), now: t.clock.now() });
    await recordAudit(t.ctx.db, { at: t.clock.now(), actor: 'webhook:stripe:evt_1', entity: 'subscription', entityId: subscriptionId, action: 'update', before: null, after: null, reason: 'renewed by Stripe' });
    await recordAudit(t.ctx.db, { at: t.clock.now(), actor: 'api_key:k1', entity: 'payment', entityId: payment.payment.id, action: 'refund', before: null, after: null, reason: 'goodwill' });
  });
  afterAll(() => t?.close());

  it.each<[string, string, string[]]>([
    ['an e-mail address, in part and in any case', 'ANNA@Sportwinkel', ['cust-anna']],
    ['a shop id, in part', 'cust-', ['cust-slash', 'cust-bram', 'cust-anna']],
    ['a name', 'de vries', ['cust-anna']],
    ['"_" as itself, not as any one character', 'shop_1', ['shop_1']],
    ['"%" as itself, not as anything', '100%', ['shop_1']],
    ['"\\" as itself', 'k\\s', ['cust-slash']],
    ['nothing for text no one has', 'zzz', []],
  ])('finds customers by %s', async (_name, q, ids) => {
    const page = await browser.get(`/admin/customers?q=${encodeURIComponent(q)}`);
    expect(page.statusCode).toBe(200);
    expect(linkedIds(page.body)).toEqual(ids);
    if (ids.length === 0) expect(page.body).toContain('No customer matches');
  });

  it('shows only the search form without a query, and escapes what customers typed', async () => {
    const empty = await browser.get('/admin/customers');
    expect(empty.body).toContain('<label for="q">E-mail address, customer id or name</label>');
    expect(linkedIds(empty.body)).toEqual([]);
    const bram = await browser.get('/admin/customers?q=bram');
    expect(bram.body).toContain('Bram &lt;b&gt;Jansen&lt;/b&gt;');
    expect(bram.body).not.toContain('<b>Jansen</b>');
    const tricky = await browser.get(`/admin/customers?q=${encodeURIComponent('"><script>x</script>')}`);
    expect(tricky.body).not.toContain('<script>x</script>');
  });

  it("opens a customer's page from the results: subscriptions, payments, notices and the audit trail", async () => {
    const results = await browser.get('/admin/customers?q=anna%40sportwinkel.test');
    const href = /<a href="(\/admin\/customers\/[^"]+)">/.exec(results.body)![1]!;
    const page = await browser.get(href);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Anna de Vries</h1>');
    expect(page.body).toContain(`<td><a href="/admin/subscriptions/${subscriptionId}">Yearly</a></td>`);
    expect(page.body).toContain('<td>EUR 299.90</td>');
    expect(page.body).toContain('<td>EUR 10.00</td>');
    expect(page.body).toContain('partially refunded');
    expect(page.body).toContain('<td>renewal-reminder</td>');
    // The customer's own creation through the API, the subscription's and the payment's entries.
    expect(page.body).toMatch(/<td class="id">api_key:[0-9a-f-]{36}<\/td>\s*<td>customer create<\/td>/);
    expect(page.body).toContain('renewed by Stripe');
    expect(page.body).toContain('goodwill');
  });

  it('opens the page of a shop id with ":" and "@" from its link, and answers 404 for an id no customer has', async () => {
    const results = await browser.get('/admin/customers?q=lotte');
    expect(linkedIds(results.body)).toEqual(['mail:lotte@shop.test']);
    const href = /<a href="(\/admin\/customers\/[^"]+)">/.exec(results.body)![1]!;
    expect(href).toBe('/admin/customers/mail%3Alotte%40shop.test');
    expect((await browser.get(href)).body).toContain('<h1>lotte@example.nl</h1>');
    const missing = await browser.get('/admin/customers/cust-nobody');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('No such customer');
  });
});
