import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

describe('plans API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
  });
  afterAll(() => t.close());

  // The test app's DEFAULT_LOCALE is nl.
  it('lists the catalogue with the yearly saving, named in the default locale and in each', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/plans', headers: { authorization: t.auth } });
    expect(response.statusCode).toBe(200);
    expect(response.json().data).toEqual([
      {
        id: 'monthly',
        name: 'Maandelijks',
        names: { nl: 'Maandelijks', en: 'Monthly' },
        interval: 'month',
        price: { amount_minor: 2999, currency: 'EUR' },
        trial_days: 30,
        trial_once_per_customer: true,
        provider_price_ids: { stripe: null, paypal: null },
        payment_methods: ['card', 'ideal', 'bancontact', 'sepa_debit'],
        saving_versus_monthly: null,
      },
      {
        id: 'yearly',
        name: 'Jaarlijks',
        names: { nl: 'Jaarlijks', en: 'Yearly' },
        interval: 'year',
        price: { amount_minor: 29990, currency: 'EUR' },
        trial_days: 30,
        trial_once_per_customer: true,
        provider_price_ids: { stripe: null, paypal: null },
        payment_methods: ['card', 'ideal', 'bancontact', 'sepa_debit'],
        saving_versus_monthly: { amount: { amount_minor: 5998, currency: 'EUR' }, percent: 16, months_free: 2 },
      },
    ]);
  });

  it('shows the trial rule as the catalogue sets it: off, and never on a plan without a trial', async () => {
    const catalogue = { ...defaultCatalogue, trial_once_per_customer: false };
    const off = await startTestApp('pglite', { catalogue });
    const noTrial = await startTestApp('pglite', { catalogue: { ...defaultCatalogue, plans: [{ ...defaultCatalogue.plans[0]!, trialDays: 0 }] } });
    try {
      const plansOf = async (app: TestApp) => (await app.app.inject({ method: 'GET', url: '/v1/plans', headers: { authorization: app.auth } })).json().data as { id: string; trial_once_per_customer: boolean }[];
      expect((await plansOf(off)).map((plan) => plan.trial_once_per_customer)).toEqual([false, false]);
      expect((await plansOf(noTrial)).map((plan) => [plan.id, plan.trial_once_per_customer])).toEqual([['monthly', false]]);
    } finally {
      await off.close();
      await noTrial.close();
    }
  }, 120_000);

  it('needs an API key', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/plans' });
    expect(response.statusCode).toBe(401);
  });
});
