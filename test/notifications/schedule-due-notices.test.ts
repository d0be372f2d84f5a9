import { afterEach, describe, expect, it } from 'vitest';
import type { Catalogue } from '../../src/config/catalogue-schema.ts';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import { upsertPayment, type PaymentState } from '../../src/db/repositories/payment-repository.ts';
import { upsertSubscriptionState } from '../../src/db/repositories/subscription-repository.ts';
import { SCHEDULE_NOTICES, scheduleNoticesJob } from '../../src/jobs/schedule-notices.ts';
import { scheduleDueNotices } from '../../src/notifications/schedule-due-notices.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);
const before = (date: Date, days: number, ms = 0) => new Date(date.getTime() - days * DAY - ms);
const after = (date: Date, days: number, ms = 0) => new Date(date.getTime() + days * DAY + ms);

type OutboxRow = { business_key: string; channel: string; template: string; recipient: string; locale: string; payload: Record<string, unknown>; customer_id: string | null; subscription_id: string | null };

describe.each(testDatabaseKinds)('scheduleDueNotices (%s)', (kind) => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  const start = async (options: TestAppOptions = {}) => {
    t = await startTestApp(kind, options);
    return t;
  };
  const run = async (now: Date) => (await scheduleDueNotices(t.ctx, now)).written;
  const outbox = async (): Promise<OutboxRow[]> =>
    (await t.ctx.db.query<OutboxRow>('SELECT business_key, channel, template, recipient, locale, payload, customer_id, subscription_id FROM notification_outbox ORDER BY business_key')).rows;
  const keys = async () => (await outbox()).map((row) => row.business_key);

  /** A customer with a phone and recorded consent to SMS. */
  const textableCustomer = async (externalId: string) => {
    const customerId = await seedCustomer(t, externalId, { phone: '+31612345678', locale: 'nl' });
    await t.ctx.db.query('UPDATE customers SET sms_consent_at = $2 WHERE id = $1', [customerId, t.clock.now()]);
    return customerId;
  };
  const trialOf = async (customerId: string, days: number, overrides: Parameters<typeof seedSubscription>[2] = {}) => {
    const trialEnd = after(t.clock.now(), days);
    const id = await seedSubscription(t, customerId, { status: 'trialing', providerStatus: 'trialing', trialEnd, currentPeriodEnd: trialEnd, ...overrides });
    return { id, trialEnd };
  };

  it('writes the trial reminder exactly 7 days before a 30-day trial ends, with its SMS, and the trial-ending notice at 3 days, each once', async () => {
    await start();
    const customerId = await textableCustomer('trial-30');
    const { id, trialEnd } = await trialOf(customerId, 30);
    const reminderKey = `trial-reminder:${id}:${trialEnd.toISOString()}`;

    expect(await run(before(trialEnd, 7, 1000))).toBe(0);
    expect(await outbox()).toEqual([]);

    expect(await run(before(trialEnd, 7))).toBe(2);
    const facts = { subscription_id: id, customer_name: null, plan_name: 'Maandelijks', interval: 'month', amount_minor: 2999, currency: 'EUR', trial_end: trialEnd.toISOString(), next_charge_at: trialEnd.toISOString() };
    expect(await outbox()).toEqual([
      { business_key: reminderKey, channel: 'email', template: 'trial-reminder', recipient: 'trial-30@example.nl', locale: 'nl', payload: facts, customer_id: customerId, subscription_id: id },
      { business_key: `${reminderKey}:sms`, channel: 'sms', template: 'trial-reminder', recipient: '+31612345678', locale: 'nl', payload: facts, customer_id: customerId, subscription_id: id },
    ]);
    expect(await run(before(trialEnd, 7))).toBe(0);
    expect(await run(before(trialEnd, 3, 1000))).toBe(0);

    expect(await run(before(trialEnd, 3))).toBe(1);
    expect(await run(before(trialEnd, 3))).toBe(0);
    expect(await keys()).toEqual([`trial-ending:${id}:${trialEnd.toISOString()}`, reminderKey, `${reminderKey}:sms`]);
    expect((await outbox()).filter((row) => row.template === 'admin-monthly-report')).toEqual([]);
  });

  it('runs as the schedule-notices job on NOTICES_CRON at the clock\'s time, and is not scheduled when that is off', async () => {
    await start({ settings: { NOTICES_CRON: '*/10 * * * *' } });
    const customerId = await seedCustomer(t, 'job');
    const { id, trialEnd } = await trialOf(customerId, 30);
    const job = scheduleNoticesJob(t.ctx);
    expect([job.name, job.cron]).toEqual([SCHEDULE_NOTICES, '*/10 * * * *']);
    expect(scheduleNoticesJob({ ...t.ctx, config: { ...t.ctx.config, NOTICES_CRON: 'off' } }).cron).toBeUndefined();

    t.clock.set(before(trialEnd, 8));
    await job.handle({}, { jobId: 'test', attempt: 1 });
    expect(await keys()).toEqual([]);
    t.clock.set(before(trialEnd, 7));
    await job.handle({}, { jobId: 'test', attempt: 1 });
    expect(await keys()).toEqual([`trial-reminder:${id}:${trialEnd.toISOString()}`]);
  });

  it('texts only customers with a phone and consent that was not withdrawn', async () => {
    await start();
    const noPhone = await seedCustomer(t, 'no-phone');
    await t.ctx.db.query('UPDATE customers SET sms_consent_at = $2 WHERE id = $1', [noPhone, t.clock.now()]);
    const noConsent = await seedCustomer(t, 'no-consent', { phone: '+31612345001' });
    const withdrawn = await textableCustomer('withdrawn');
    await t.ctx.db.query('UPDATE customers SET sms_consent_withdrawn_at = $2 WHERE id = $1', [withdrawn, after(t.clock.now(), 0, 1)]);
    const consentedAgain = await textableCustomer('consented-again');
    await t.ctx.db.query('UPDATE customers SET sms_consent_withdrawn_at = $2, sms_consent_at = $3 WHERE id = $1', [consentedAgain, before(t.clock.now(), 1), t.clock.now()]);
    const trials = new Map<string, string>();
    for (const [name, customerId] of Object.entries({ noPhone, noConsent, withdrawn, consentedAgain })) trials.set((await trialOf(customerId, 5)).id, name);

    expect(await run(t.clock.now())).toBe(5);
    const rows = await outbox();
    expect(rows.filter((row) => row.channel === 'email')).toHaveLength(4);
    expect(rows.filter((row) => row.channel === 'sms').map((row) => trials.get(row.subscription_id!))).toEqual(['consentedAgain']);
  });

  it('writes the reminder at once for a 5-day trial, and none for a trial that ends with a cancellation', async () => {
    await start();
    const customerId = await seedCustomer(t, 'short-trial');
    const short = await trialOf(customerId, 5);
    await trialOf(customerId, 30, { cancelAtPeriodEnd: true, canceledAt: t.clock.now() });

    expect(await run(t.clock.now())).toBe(1);
    expect(await keys()).toEqual([`trial-reminder:${short.id}:${short.trialEnd.toISOString()}`]);
    expect(await run(after(t.clock.now(), 2))).toBe(1); // the short trial's trial-ending only
    expect(await keys()).toEqual([`trial-ending:${short.id}:${short.trialEnd.toISOString()}`, `trial-reminder:${short.id}:${short.trialEnd.toISOString()}`]);
  });

  it('reminds of a yearly renewal 30 days before it, and not of a monthly one', async () => {
    await start();
    const customerId = await seedCustomer(t, 'yearly');
    const periodEnd = after(t.clock.now(), 365);
    const yearly = await seedSubscription(t, customerId, { planId: 'yearly', currentPeriodEnd: periodEnd });
    await seedSubscription(t, customerId, { planId: 'monthly', currentPeriodEnd: periodEnd });

    expect(await run(before(periodEnd, 30, 1))).toBe(0);
    expect(await run(before(periodEnd, 30))).toBe(1);
    const [row] = await outbox();
    expect(row).toMatchObject({ business_key: `renewal-reminder:${yearly}:${periodEnd.toISOString()}`, template: 'renewal-reminder', channel: 'email' });
    expect(row!.payload).toMatchObject({ plan_name: 'Jaarlijks', interval: 'year', amount_minor: 29990, next_charge_at: periodEnd.toISOString() });
    expect(await run(before(periodEnd, 1))).toBe(0);
  });

  describe('dunning', () => {
    const pastDue = async (externalId: string, failedAmount: number | null) => {
      const customerId = await textableCustomer(externalId);
      const since = t.clock.now();
      const id = await seedSubscription(t, customerId, { status: 'past_due', providerStatus: 'past_due', pastDueSince: since });
      if (failedAmount !== null) {
        const payment: PaymentState = { customerId, subscriptionId: id, provider: 'stripe', providerPaymentId: `pi_${externalId}`, kind: 'subscription', amountMinor: failedAmount, currency: 'EUR', amountRefundedMinor: 0, status: 'failed', methodSummary: null, invoiceAt: since, providerUpdatedAt: since };
        await upsertPayment(t.ctx.db, payment, since);
      }
      return { id, customerId, since };
    };

    it('writes follow-ups 3, 7 and 14 days after the failure, the last as a final warning with an SMS', async () => {
      await start();
      const { id, since } = await pastDue('dunning', 3499);
      const key = (step: number) => `dunning:${id}:${since.toISOString()}:${step}`;

      expect(await run(after(since, 3, -1))).toBe(0);
      expect(await run(after(since, 3))).toBe(1);
      expect(await run(after(since, 7))).toBe(1);
      expect(await run(after(since, 7))).toBe(0);
      expect(await run(after(since, 14))).toBe(2);
      const rows = await outbox();
      expect(rows.map((row) => [row.business_key, row.template, row.channel])).toEqual([
        [key(1), 'dunning-reminder', 'email'],
        [key(2), 'dunning-reminder', 'email'],
        [key(3), 'dunning-final-warning', 'email'],
        [`${key(3)}:sms`, 'dunning-final-warning', 'sms'],
      ]);
      expect(rows[2]!.payload).toMatchObject({ amount_due_minor: 3499, failed_at: since.toISOString(), step: 3, of: 3 });
    });

    it('writes only the highest step after a long gap, asking for the plan price when no failed payment is known', async () => {
      await start();
      const { id, since } = await pastDue('gap', null);
      expect(await run(after(since, 40))).toBe(2);
      expect(await keys()).toEqual([`dunning:${id}:${since.toISOString()}:3`, `dunning:${id}:${since.toISOString()}:3:sms`]);
      expect((await outbox())[0]!.payload).toMatchObject({ amount_due_minor: 2999, step: 3, of: 3 });
    });

    it('writes nothing once the subscription is active again', async () => {
      await start();
      const { id, customerId, since } = await pastDue('recovered', 2999);
      const paidAt = after(since, 1);
      await upsertSubscriptionState(
        t.ctx.db,
        { customerId, provider: 'stripe', providerSubscriptionId: (await t.ctx.db.query<{ p: string }>('SELECT provider_subscription_id AS p FROM subscriptions WHERE id = $1', [id])).rows[0]!.p, planId: 'monthly', status: 'active', providerStatus: 'active', signedUpAt: paidAt, trialEnd: null, currentPeriodStart: paidAt, currentPeriodEnd: after(paidAt, 30), cancelAtPeriodEnd: false, canceledAt: null, pastDueSince: null, providerUpdatedAt: paidAt },
        paidAt,
      );
      expect(await run(after(since, 3))).toBe(0);
      expect(await run(after(since, 14))).toBe(0);
      expect(await outbox()).toEqual([]);
    });
  });

  it('writes the monthly report for the previous month once, to every admin, with the month\'s figures', async () => {
    const catalogue: Catalogue = {
      ...defaultCatalogue,
      plans: [...defaultCatalogue.plans, { id: 'us', name: 'US monthly', interval: 'month', amountMinor: 1000, currency: 'USD', trialDays: 0, providerPriceIds: {} }],
    };
    await start({ catalogue, settings: { ADMIN_EMAILS: ['ops@example.nl', 'cfo@example.nl'] } });
    const customerId = await seedCustomer(t, 'reporting');
    const seedAt = async (createdAt: string, overrides: Parameters<typeof seedSubscription>[2]) => {
      t.clock.set(createdAt);
      return seedSubscription(t, customerId, overrides);
    };
    const canceled = { status: 'canceled', providerStatus: 'canceled' } as const;
    // Live now: 3 active monthly EUR (one ending at period end), 1 yearly EUR, 1 past due, 1 active USD; 2 trialing.
    const paying = await seedAt('2026-02-05T09:00:00Z', {}); // new in February
    await seedAt('2026-01-10T09:00:00Z', { planId: 'yearly', currentPeriodEnd: at('2027-01-10T09:00:00Z') });
    await seedAt('2026-02-20T09:00:00Z', { status: 'trialing', providerStatus: 'trialing', trialEnd: at('2026-03-22T09:00:00Z') }); // new in February
    await seedAt('2026-01-15T09:00:00Z', { status: 'past_due', providerStatus: 'past_due', pastDueSince: at('2026-02-28T09:00:00Z') }); // no follow-up due yet
    await seedAt('2026-01-20T09:00:00Z', { cancelAtPeriodEnd: true, canceledAt: at('2026-02-15T09:00:00Z'), currentPeriodEnd: at('2026-03-20T09:00:00Z') });
    await seedAt('2026-01-21T09:00:00Z', { planId: 'us' });
    await seedAt('2026-03-01T00:30:00Z', { status: 'trialing', providerStatus: 'trialing', trialEnd: at('2026-03-31T00:30:00Z') }); // new in March
    // Ended in February: cancelled at once, and at the end of a period; one that ended in January.
    await seedAt('2026-01-01T09:00:00Z', { ...canceled, canceledAt: at('2026-02-10T09:00:00Z'), currentPeriodEnd: at('2026-03-01T09:00:00Z') });
    await seedAt('2026-01-02T09:00:00Z', { ...canceled, cancelAtPeriodEnd: true, canceledAt: at('2026-01-20T09:00:00Z'), currentPeriodEnd: at('2026-02-12T09:00:00Z') });
    await seedAt('2025-12-01T09:00:00Z', { ...canceled, canceledAt: at('2026-01-25T09:00:00Z'), currentPeriodEnd: at('2026-02-01T09:00:00Z') });

    const pay = async (id: string, amountMinor: number, currency: string, status: PaymentState['status'], refunded: number, invoiceAt: string) =>
      upsertPayment(
        t.ctx.db,
        { customerId, subscriptionId: paying, provider: 'stripe', providerPaymentId: id, kind: 'subscription', amountMinor, currency, amountRefundedMinor: refunded, status, methodSummary: null, invoiceAt: at(invoiceAt), providerUpdatedAt: at(invoiceAt) },
        at(invoiceAt),
      );
    await pay('pi_feb_1', 2999, 'EUR', 'succeeded', 0, '2026-02-05T09:00:00Z');
    await pay('pi_feb_2', 29990, 'EUR', 'partially_refunded', 5000, '2026-02-10T09:00:00Z');
    await pay('pi_feb_3', 2999, 'EUR', 'refunded', 2999, '2026-02-12T09:00:00Z');
    await pay('pi_feb_4', 2999, 'EUR', 'failed', 0, '2026-02-14T09:00:00Z');
    await pay('pi_jan', 2999, 'EUR', 'succeeded', 0, '2026-01-31T23:59:59Z');
    await pay('pi_feb_usd', 1000, 'USD', 'succeeded', 0, '2026-02-28T23:59:59Z');
    await pay('pi_mar', 2999, 'EUR', 'succeeded', 0, '2026-03-01T00:00:00Z');

    expect(await run(at('2026-03-01T10:00:00Z'))).toBe(2);
    const reports = (await outbox()).filter((row) => row.template === 'admin-monthly-report');
    expect(reports.map((row) => [row.business_key, row.recipient])).toEqual([
      ['report:monthly:2026-02', 'ops@example.nl'],
      ['report:monthly:2026-02:cfo@example.nl', 'cfo@example.nl'],
    ]);
    expect(reports[0]!.payload).toEqual({
      month: '2026-02',
      active: 4,
      trialing: 2,
      past_due: 1,
      new: 2,
      churned: 2,
      revenue: [
        { currency: 'EUR', amount_minor: 2999 + 24990 },
        { currency: 'USD', amount_minor: 1000 },
      ],
      // (3 × 2999 × 12 + 29990) / 12 = 11496.17 -> 11496
      mrr: [
        { currency: 'EUR', amount_minor: 11496 },
        { currency: 'USD', amount_minor: 1000 },
      ],
    });
    expect(await run(at('2026-03-01T10:05:00Z'))).toBe(0);
    await run(at('2026-03-31T23:59:59Z'));
    expect((await outbox()).filter((row) => row.template === 'admin-monthly-report')).toHaveLength(2);
    await run(at('2026-04-01T00:00:00Z'));
    expect((await keys()).filter((key) => key.startsWith('report:monthly:2026-03'))).toEqual(['report:monthly:2026-03', 'report:monthly:2026-03:cfo@example.nl']);
  });
});
