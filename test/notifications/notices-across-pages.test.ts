import { afterEach, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/settings-schema.ts';
import { findDueNotices, type DueNotice } from '../../src/domain/notice-schedule.ts';
import { scheduleDueNotices } from '../../src/notifications/schedule-due-notices.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const DAY = 86_400_000;
const after = (date: Date, days: number) => new Date(date.getTime() + days * DAY);

type Seeded = { id: string; interval: 'month' | 'year'; status: 'trialing' | 'active' | 'past_due'; cancelAtPeriodEnd: boolean; trialEnd: Date | null; currentPeriodEnd: Date | null; pastDueSince: Date | null };

const keyOf = (id: string, notice: DueNotice): string => {
  switch (notice.kind) {
    case 'trial-reminder':
    case 'trial-ending':
      return `${notice.kind}:${id}:${notice.trialEnd.toISOString()}`;
    case 'renewal-reminder':
      return `${notice.kind}:${id}:${notice.periodEnd.toISOString()}`;
    case 'dunning':
      return `dunning:${id}:${notice.pastDueSince.toISOString()}:${notice.step}`;
  }
};

describe.each(testDatabaseKinds)('time notices over many subscriptions, a few per page (%s)', (kind) => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  it('writes every due notice exactly once while the clock moves day by day and then jumps several days, across page boundaries and ties', async () => {
    t = await startTestApp(kind);
    const start = t.clock.now();
    const seeded: Seeded[] = [];
    const seed = async (facts: Omit<Seeded, 'id'>) => {
      const customerId = await seedCustomer(t, `many-${seeded.length}`);
      const id = await seedSubscription(t, customerId, {
        planId: facts.interval === 'year' ? 'yearly' : 'monthly',
        status: facts.status,
        providerStatus: facts.status,
        trialEnd: facts.trialEnd,
        currentPeriodEnd: facts.currentPeriodEnd,
        cancelAtPeriodEnd: facts.cancelAtPeriodEnd,
        canceledAt: facts.cancelAtPeriodEnd ? start : null,
        pastDueSince: facts.pastDueSince,
      });
      seeded.push({ id, ...facts });
    };
    const none = { trialEnd: null, pastDueSince: null, cancelAtPeriodEnd: false };
    // Several subscriptions share one date, so a page ends in the middle of a tie on it.
    for (let index = 0; index < 14; index += 1) {
      const periodEnd = after(start, 31 + 3 * Math.floor(index / 4));
      await seed({ ...none, interval: 'year', status: 'active', currentPeriodEnd: periodEnd });
      if (index % 5 === 0) await seed({ ...none, interval: 'month', status: 'active', currentPeriodEnd: periodEnd });
      if (index % 7 === 0) await seed({ ...none, interval: 'year', status: 'active', currentPeriodEnd: periodEnd, cancelAtPeriodEnd: true });
    }
    for (let index = 0; index < 10; index += 1) {
      const trialEnd = after(start, 9 + 2 * Math.floor(index / 3));
      await seed({ ...none, interval: index % 2 ? 'year' : 'month', status: 'trialing', trialEnd, currentPeriodEnd: trialEnd });
    }
    for (let index = 0; index < 7; index += 1) {
      await seed({ ...none, interval: 'month', status: 'past_due', currentPeriodEnd: start, pastDueSince: after(start, -Math.floor(index / 2)) });
    }

    // Daily for three weeks, then a jump of five days, then daily again, each time twice.
    const runTimes = [...Array.from({ length: 21 }, (_, day) => after(start, day)), ...Array.from({ length: 8 }, (_, day) => after(start, 26 + day))];
    const settings = settingsSchema.parse({});
    const rules = { trialReminderDays: settings.TRIAL_REMINDER_DAYS, trialEndingDays: settings.TRIAL_ENDING_DAYS, renewalReminderDays: settings.RENEWAL_REMINDER_DAYS, dunningScheduleDays: settings.DUNNING_SCHEDULE_DAYS };
    const expected = new Set<string>();
    let written = 0;
    for (const now of runTimes) {
      for (const subscription of seeded) for (const notice of findDueNotices(subscription, rules, now)) expected.add(keyOf(subscription.id, notice));
      written += (await scheduleDueNotices(t.ctx, now, { pageSize: 3 })).written;
      expect((await scheduleDueNotices(t.ctx, now, { pageSize: 3 })).written).toBe(0);
    }

    const rows = (await t.ctx.db.query<{ business_key: string }>('SELECT business_key FROM notification_outbox ORDER BY business_key')).rows.map((row) => row.business_key);
    expect(rows).toEqual([...expected].sort());
    expect(written).toBe(rows.length);
    const kinds = (prefix: string) => rows.filter((key) => key.startsWith(prefix)).length;
    expect([kinds('renewal-reminder:'), kinds('trial-reminder:'), kinds('trial-ending:'), kinds('dunning:')]).toEqual([14, 10, 10, expect.any(Number)]);
    expect(kinds('dunning:')).toBeGreaterThan(7);
    // Some eighty subscriptions and fifty-eight passes: more than the default test time on a busy machine.
  }, 180_000);
});
