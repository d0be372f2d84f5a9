import { afterEach, describe, expect, it } from 'vitest';
import { paypalPaymentMethodPageUrl } from '../../src/providers/payments/paypal/paypal-payment-method-page.ts';
import { createPaypalProvider } from '../../src/providers/payments/paypal/paypal-provider.ts';
import { createPaymentProviders } from '../../src/services/payment-providers.ts';
import { PUBLIC_BASE_URL, startPaypalTestApp, subscribeThroughRecur, type PaypalTestApp } from '../paypal/paypal-test-kit.ts';
import { sandboxStart } from '../sandbox/paypal/paypal-kit.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { enterPortal, requestPortalLink } from './portal-visit.ts';

const DAY_MS = 86_400_000;
const onDay = (day: number) => new Date(sandboxStart.getTime() + day * DAY_MS);

/**
 * The portal's change plan and payment method for a PayPal subscription: PayPal does not prorate,
 * so the page says the new price applies from the next cycle and nothing is charged now (and
 * PayPal then charges exactly that); the payment method is changed on PayPal's own page.
 */
describe.each(testDatabaseKinds)('the customer portal with PayPal: change plan from the next cycle, PayPal\'s own payment page (%s)', (kind) => {
  let kit: PaypalTestApp | undefined;
  afterEach(async () => {
    await kit?.stop();
    kit = undefined;
  });

  it('previews and switches from the next cycle, charged the previewed price then, and links to PayPal for the payment method', async () => {
    kit = await startPaypalTestApp(kind);
    const settings = { PAYPAL_MODE: 'sandbox' as const, PAYPAL_API_BASE: `${kit.sandbox.url}/paypal` };
    kit.t.ctx.payments = createPaymentProviders([createPaypalProvider(kit.gateway, paypalPaymentMethodPageUrl(settings))], PUBLIC_BASE_URL);
    // A returning customer gets no second trial: active and charged at once.
    const customerId = await seedCustomer(kit.t, 'pp-4001', { locale: 'nl' });
    await seedSubscription(kit.t, customerId, { provider: 'paypal', providerSubscriptionId: 'I-ENDEDPP4001', status: 'canceled', providerStatus: 'CANCELLED', canceledAt: kit.t.clock.now() });
    const { paypalId, subscriptionId } = await subscribeThroughRecur(kit, 'pp-4001', 'monthly');

    const visit = await enterPortal(kit.t.app, (await requestPortalLink(kit.t.app, kit.t.auth, 'pp-4001')).url);
    // The first payment, as recur recorded it, and its receipt: the method is PayPal.
    const history = await visit.get('/portal/payments');
    const receiptPath = /href="(\/portal\/payments\/[0-9a-f-]{36})"/.exec(history.body)?.[1];
    expect(receiptPath, history.body).toBeDefined();
    const receipt = await visit.get(receiptPath!);
    expect(receipt.body).toContain('<dt>Bedrag</dt><dd>€\u00a029,99</dd>');
    expect(receipt.body).toContain('<dt>Betaalmethode</dt><dd>PayPal</dd>');

    const preview = await visit.get(`/portal/change-plan?subscription=${subscriptionId}`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Via PayPal gaat de wijziging in vanaf de volgende betaalperiode: nu wordt er niets afgeschreven, vanaf 1 april 2026 betaal je €\u00a0299,90.');
    expect(preview.body).not.toContain('Nu betalen');
    const fields = Object.fromEntries([...preview.body.matchAll(/<input type="hidden" name="([a-z_]+)" value="([^"]*)">/g)].map((match) => [match[1]!, match[2]!]));
    const switched = await visit.post('/portal/change-plan', fields);
    expect([switched.statusCode, switched.headers.location]).toEqual([303, `/portal?switched=${subscriptionId}&to=yearly`]);
    expect((await visit.get(switched.headers.location as string)).body).toContain('Je abonnement wordt Jaarlijks vanaf de volgende betaalperiode.');

    // Nothing now; at the next billing PayPal charges the yearly price the page showed.
    const nextBilling = new Date(Date.UTC(2026, 3, 1, 10));
    const chargesSince = async () => kit!.gateway.listCustomerCharges((await kit!.gateway.retrieveSubscription(paypalId))!.providerCustomerId!, { createdSince: onDay(0) });
    expect((await chargesSince()).map((charge) => charge.amountMinor)).toEqual([2999]);
    await kit.sandbox.advance(onDay(31));
    expect((await chargesSince()).map((charge) => [charge.amountMinor, charge.created.toISOString()])).toEqual([[29990, nextBilling.toISOString()], [2999, onDay(0).toISOString()]]);

    // Payment method: PayPal has no billing portal; the page leads to the payer's automatic payments at PayPal.
    const method = await visit.get(`/portal/payment-method?subscription=${subscriptionId}`);
    expect(method.statusCode).toBe(200);
    expect(method.body).toContain('wordt betaald via PayPal.');
    const autopay = `${kit.sandbox.url}/paypal/myaccount/autopay/`;
    expect(method.body).toContain(`<a class="button" href="${autopay}" rel="noreferrer">Open je automatische betalingen bij PayPal</a>`);
    expect(method.body).not.toContain('<button');
    expect((await fetch(autopay)).status).toBe(200);
    // A forged press of a billing-portal button that the page does not have: refused, nothing opened.
    const forged = await visit.post('/portal/payment-method', { subscription: subscriptionId, csrf: visit.csrfOf(preview.body) });
    expect(forged.statusCode).toBe(409);
  }, 120_000);
});
