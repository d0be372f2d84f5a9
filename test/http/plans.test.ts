import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
        provider_price_ids: { stripe: null, paypal: null },
        saving_versus_monthly: null,
      },
      {
        id: 'yearly',
        name: 'Jaarlijks',
        names: { nl: 'Jaarlijks', en: 'Yearly' },
        interval: 'year',
        price: { amount_minor: 29990, currency: 'EUR' },
        trial_days: 30,
        provider_price_ids: { stripe: null, paypal: null },
        saving_versus_monthly: { amount: { amount_minor: 5998, currency: 'EUR' }, percent: 16, months_free: 2 },
      },
    ]);
  });

  it('needs an API key', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/plans' });
    expect(response.statusCode).toBe(401);
  });
});
