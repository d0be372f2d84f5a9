import { afterEach, describe, expect, it } from 'vitest';
import { listCheckoutConsentsOfCustomer } from '../../src/db/repositories/checkout-consent-repository.ts';
import { findCustomerByExternalId } from '../../src/db/repositories/customer-repository.ts';
import { SIGNUP_TERMS_VERSION } from '../../src/services/portal/signup-terms.ts';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { tableCounts } from '../stripe/stripe-test-kit.ts';
import { completeCheckout, type ChangeKit } from '../subscription-changes/change-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { enterPortal, requestPortalLink, type PortalVisit } from './portal-visit.ts';

const NBSP = '\u00a0';
const field = (html: string, name: string, planId: string): string => {
  const form = html.slice(html.indexOf(`name="plan" value="${planId}"`));
  return new RegExp(`name="${name}" value="([^"]+)"`).exec(form)![1]!;
};
const countOf = async (recur: RunningRecur, table: string) => (await recur.t.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

/**
 * The portal's plan picker against the Stripe sandbox: shown only to a customer without a live
 * subscription, the trial terms stated before payment, the consent box required and recorded with
 * the checkout (immutable), no second trial for a customer who had one, and back into the portal
 * with the trial after paying.
 */
describe.each(testDatabaseKinds)('the customer portal: the plan picker (%s)', (kind) => {
  let recur: RunningRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  });

  async function start(): Promise<{ recur: RunningRecur; api: ChangeKit['api'] }> {
    recur = await startRunningRecur(kind);
    const running = recur;
    const api: ChangeKit['api'] = (method, path, body) =>
      fetch(`${running.baseUrl}${path}`, { method, headers: { authorization: running.t.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, redirect: 'manual' });
    return { recur: running, api };
  }

  async function customerInPortal(running: RunningRecur, api: ChangeKit['api'], externalId: string, locale: 'nl' | 'en' = 'nl'): Promise<PortalVisit> {
    expect((await api('POST', '/v1/customers', { external_id: externalId, email: `${externalId}@example.nl`, locale, time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    return enterPortal(running.t.app, (await requestPortalLink(running.t.app, running.t.auth, externalId)).url);
  }

  it('states the trial terms, requires the consent box, records the consent with the checkout, and comes back to the portal with the trial', async () => {
    const { recur: running, api } = await start();
    const visit = await customerInPortal(running, api, 'shop-2001');
    const overview = await visit.get('/portal');
    expect(overview.statusCode).toBe(200);
    const html = overview.body;
    expect(html).toContain('Kies je abonnement');
    expect(html).toContain(`<p class="price">€${NBSP}29,99 per maand</p>`);
    expect(html).toContain(`<p class="price">€${NBSP}299,90 per jaar</p>`);
    expect(html).toContain(`Je bespaart €${NBSP}59,98 per jaar ten opzichte van maandelijks betalen.`);
    // The terms the card networks ask for, before payment: trial length, the price after it, the first charge's date, how to cancel.
    expect(html).toContain('Gratis proefperiode: 30 dagen, tot 31 januari 2026. Vandaag betaal je niets.');
    expect(html).toContain(`Na de proefperiode kost Jaarlijks €${NBSP}299,90 per jaar: de eerste betaling is op 31 januari 2026, daarna elk jaar op dezelfde datum, tot je opzegt.`);
    expect(html).toContain('Zeg je op vóór 31 januari 2026, dan betaal je niets.');
    expect(html).toContain('<input type="checkbox" name="consent" value="yes" id="consent-yearly" aria-describedby="terms-yearly">');
    expect(html).not.toContain('checked>');
    expect(overview.headers['content-security-policy']).toContain("form-action 'self' https:");

    const csrf = visit.csrfOf(html);
    const yearly = { csrf, plan: 'yearly', provider: 'stripe', terms: field(html, 'terms', 'yearly') };
    const before = await tableCounts(running.t.ctx.db);

    // Without the box ticked: the picker again, saying so, and nothing opened or written.
    const unticked = await visit.post('/portal/signup', yearly);
    expect(unticked.statusCode).toBe(400);
    expect(unticked.body).toContain('<div class="banner" role="alert" id="error-yearly">Vink het vakje aan om akkoord te gaan met de voorwaarden van Jaarlijks. Er is niets besteld.</div>');
    expect(unticked.body).toContain('aria-describedby="error-yearly terms-yearly" aria-invalid="true"');
    // Without the form's token: refused before anything is done.
    const forged = await visit.post('/portal/signup', { ...yearly, csrf: 'forged', consent: 'yes' });
    expect(forged.statusCode).toBe(403);
    // A plan the picker does not offer, or a provider that is not set up: back to the overview, nothing opened.
    for (const odd of [{ plan: 'lifetime' }, { provider: 'paypal' }]) {
      const refused = await visit.post('/portal/signup', { ...yearly, ...odd, consent: 'yes' });
      expect(refused.statusCode).toBe(303);
      expect(refused.headers.location).toBe('/portal');
    }
    expect(await tableCounts(running.t.ctx.db)).toEqual(before);
    expect(await countOf(running, 'checkout_consents')).toBe(0);
    expect((await running.kit.stripe.checkout.sessions.list({ limit: 10 })).data).toHaveLength(0);

    const ticked = await visit.post('/portal/signup', { ...yearly, consent: 'yes' });
    expect(ticked.statusCode, ticked.body).toBe(303);
    const checkoutUrl = String(ticked.headers.location);
    expect(checkoutUrl.startsWith(running.kit.sandbox.url)).toBe(true);
    const sessions = (await running.t.ctx.db.query<{ provider_session_id: string; return_url: string }>('SELECT provider_session_id, return_url FROM checkout_sessions')).rows;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.return_url).toBe(`${running.baseUrl}/portal`);

    const customer = (await findCustomerByExternalId(running.t.ctx.db, 'shop-2001'))!;
    const consents = await listCheckoutConsentsOfCustomer(running.t.ctx.db, customer.id);
    expect(consents).toEqual([
      {
        customerId: customer.id,
        provider: 'stripe',
        providerSessionId: sessions[0]!.provider_session_id,
        planId: 'yearly',
        termsVersion: SIGNUP_TERMS_VERSION,
        locale: 'nl',
        termsText: expect.stringContaining('Gratis proefperiode: 30 dagen, tot 31 januari 2026.'),
        trialDays: 30,
        priceMinor: 29990,
        currency: 'EUR',
        interval: 'year',
        dueTodayMinor: 0,
        firstChargeAt: new Date('2026-01-31T00:00:00Z'),
        consentedAt: running.t.ctx.clock.now(),
      },
    ]);
    expect(consents[0]!.termsText.split('\n')).toHaveLength(4);
    // A consent is proof: it cannot be changed or removed afterwards.
    await expect(running.t.ctx.db.query("UPDATE checkout_consents SET terms_text = 'something else'")).rejects.toThrow(/immutable/);
    await expect(running.t.ctx.db.query('DELETE FROM checkout_consents')).rejects.toThrow(/immutable/);

    // Paid on the sandbox's hosted page: back through recur's return route into the portal, with the trial.
    const paid = await fetch(checkoutUrl, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card: 'pm_card_visa', action: 'pay' }) });
    expect(paid.status).toBe(303);
    const back = await fetch(String(paid.headers.get('location')), { redirect: 'manual' });
    expect(back.status).toBe(303);
    const landing = new URL(String(back.headers.get('location')));
    expect(`${landing.origin}${landing.pathname}`).toBe(`${running.baseUrl}/portal`);
    expect(landing.searchParams.get('checkout')).toBe('success');
    const home = await visit.get(`${landing.pathname}${landing.search}`);
    expect(home.body).toContain('<div class="banner ok" role="status">Welkom! Je abonnement is afgesloten.</div>');
    expect(home.body).toContain('Proefperiode tot 31 januari 2026');
    expect(home.body).not.toContain('Kies je abonnement');

    // A second signup from the old page (another tab): nothing sold beside the live subscription.
    const again = await visit.post('/portal/signup', { ...yearly, consent: 'yes' });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/portal');
    expect(await countOf(running, 'checkout_sessions')).toBe(1);
    expect(await countOf(running, 'checkout_consents')).toBe(1);
  }, 60_000);

  it('offers no second trial to a customer who had one, and records the terms without it', async () => {
    const { recur: running, api } = await start();
    expect((await api('POST', '/v1/customers', { external_id: 'shop-2002', email: 'bram@example.nl', locale: 'en', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const started = await api('POST', '/v1/checkout', { customer: 'shop-2002', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' });
    const first = await completeCheckout(running, api, ((await started.json()) as { url: string }).url, 'shop-2002');
    expect(first.status).toBe('trialing');
    // While the trial runs, the portal shows the subscription and no picker.
    const during = await enterPortal(running.t.app, (await requestPortalLink(running.t.app, running.t.auth, 'shop-2002')).url);
    const live = await during.get('/portal');
    expect(live.body).toContain('Free trial until 31 January 2026');
    expect(live.body).not.toContain('Choose your subscription');
    expect(live.body).not.toContain('/portal/signup');

    expect((await api('POST', `/v1/subscriptions/${first.id}/cancel`, { at: 'now' })).status).toBe(200);
    const visit = await enterPortal(running.t.app, (await requestPortalLink(running.t.app, running.t.auth, 'shop-2002')).url);
    const html = (await visit.get('/portal')).body;
    expect(html).toContain('Choose your subscription');
    expect(html).toContain('You have had a subscription or free trial before, so this subscription has no free trial.');
    expect(html).toContain('The first payment of €29.99 is charged today, then every month on the same date, until you cancel.');
    expect(html).not.toContain('Free trial:');

    const monthly = { csrf: visit.csrfOf(html), plan: 'monthly', provider: 'stripe', terms: field(html, 'terms', 'monthly'), consent: 'yes' };
    // Words the customer did not read (an older page, a forged digest) are not agreed to.
    const stale = await visit.post('/portal/signup', { ...monthly, terms: 'an-older-version-of-the-terms' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('The terms of Monthly have changed meanwhile.');
    expect(await countOf(running, 'checkout_consents')).toBe(0);

    const ticked = await visit.post('/portal/signup', monthly);
    expect(ticked.statusCode, ticked.body).toBe(303);
    const customer = (await findCustomerByExternalId(running.t.ctx.db, 'shop-2002'))!;
    const [consent] = await listCheckoutConsentsOfCustomer(running.t.ctx.db, customer.id);
    expect(consent).toMatchObject({ planId: 'monthly', locale: 'en', trialDays: 0, priceMinor: 2999, dueTodayMinor: 2999, firstChargeAt: running.t.ctx.clock.now() });
    expect(consent!.termsText).toContain('no free trial');
    // The checkout sold what was stated: paid today, no trial at Stripe either.
    const paid = await fetch(String(ticked.headers.location), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card: 'pm_card_visa', action: 'pay' }) });
    const back = await fetch(String(paid.headers.get('location')), { redirect: 'manual' });
    const second = new URL(String(back.headers.get('location'))).searchParams.get('subscription')!;
    const sold = (await (await api('GET', `/v1/subscriptions/${second}`)).json()) as { status: string; trial_end: string | null; provider_subscription_id: string };
    expect(sold).toMatchObject({ status: 'active', trial_end: null });
    expect((await running.kit.stripe.subscriptions.retrieve(sold.provider_subscription_id)).trial_end).toBeNull();
    expect((await visit.get('/portal')).body).not.toContain('Choose your subscription');
  }, 60_000);
});
