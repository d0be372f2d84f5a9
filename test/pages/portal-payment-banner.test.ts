import { afterEach, describe, expect, it } from 'vitest';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { enterPortal, requestPortalLink } from './portal-visit.ts';

const DAY_MS = 86_400_000;

/**
 * The overview's banner when a payment failed (past due) or a first payment waits for the
 * customer (incomplete: declined, or the bank asks for authentication): what to do, and the way to
 * do it (update payment method), in the customer's language; none while payments are in order.
 */
describe.each(testDatabaseKinds)('the portal overview\'s payment banner (%s)', (kind) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const bannerOf = (html: string) => /<div class="banner" role="alert">(.*?)<\/div>/s.exec(html)?.[1]?.replace(/\s+/g, ' ') ?? null;

  it('says what to do and links to updating the payment method, in Dutch and English', async () => {
    t = await startTestApp(kind);
    const anna = await seedCustomer(t, 'shop-9201', { locale: 'nl' });
    const pastDue = await seedSubscription(t, anna, { status: 'past_due', providerStatus: 'past_due', pastDueSince: new Date(t.clock.now().getTime() - 2 * DAY_MS) });
    const bob = await seedCustomer(t, 'shop-9202', { locale: 'en' });
    const incomplete = await seedSubscription(t, bob, { planId: 'yearly', status: 'incomplete', providerStatus: 'incomplete' });
    const carla = await seedCustomer(t, 'shop-9203', { locale: 'en' });
    await seedSubscription(t, carla);

    const annas = await (await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9201')).url)).get('/portal');
    expect(bannerOf(annas.body)).toBe(
      `<p>De laatste betaling voor je abonnement Maandelijks is niet gelukt. Werk je betaalgegevens bij, dan loopt je abonnement gewoon door.</p><p><a class="button" href="/portal/payment-method?subscription=${pastDue}">Betaalgegevens bijwerken</a></p>`,
    );
    // Past due: no plan switch offered (the open invoice is paid first).
    expect(annas.body).not.toContain('/portal/change-plan');

    const bobs = await (await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9202')).url)).get('/portal');
    expect(bobs.body).toContain('<html lang="en">');
    expect(bannerOf(bobs.body)).toBe(
      `<p>The first payment for your Yearly subscription is not complete: it failed or your bank asks you to confirm it. Update your payment details to start your subscription.</p><p><a class="button" href="/portal/payment-method?subscription=${incomplete}">Update payment method</a></p>`,
    );

    const carlas = await (await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9203')).url)).get('/portal');
    expect(bannerOf(carlas.body)).toBeNull();
    expect(carlas.body).toContain('>Update payment method</a>');
    expect(carlas.body).toContain('>Change plan</a>');
  }, 60_000);
});
