import { describe, expect, it } from 'vitest';
import { findDueNotices, smsAllowedAt, type NoticeScheduleSettings, type ScheduleFacts } from '../../src/domain/notice-schedule.ts';

const at = (iso: string) => new Date(iso);
const DAY = 86_400_000;
const settings: NoticeScheduleSettings = { trialReminderDays: 7, trialEndingDays: 3, renewalReminderDays: 30, dunningScheduleDays: [3, 7, 14] };

const trialEnd = at('2026-03-31T10:00:00.000Z');
const trial: ScheduleFacts = { status: 'trialing', interval: 'month', cancelAtPeriodEnd: false, trialEnd, currentPeriodEnd: trialEnd, pastDueSince: null };
const kinds = (facts: ScheduleFacts, now: Date) => findDueNotices(facts, settings, now).map((notice) => notice.kind);

describe('findDueNotices: trials', () => {
  it('answers the reminder exactly 7 days before the trial ends, and not a millisecond earlier', () => {
    expect(kinds(trial, new Date(trialEnd.getTime() - 7 * DAY - 1))).toEqual([]);
    expect(findDueNotices(trial, settings, new Date(trialEnd.getTime() - 7 * DAY))).toEqual([{ kind: 'trial-reminder', trialEnd }]);
  });

  it('adds the trial-ending notice 3 days before, and keeps the reminder due for a scheduler that was down', () => {
    expect(kinds(trial, new Date(trialEnd.getTime() - 3 * DAY - 1))).toEqual(['trial-reminder']);
    expect(kinds(trial, new Date(trialEnd.getTime() - 3 * DAY))).toEqual(['trial-reminder', 'trial-ending']);
  });

  it('answers nothing once the trial end is reached', () => {
    expect(kinds(trial, trialEnd)).toEqual([]);
  });

  it('answers the reminder at once for a trial shorter than the lead time', () => {
    const signUp = at('2026-03-01T10:00:00.000Z');
    const shortTrial = { ...trial, trialEnd: new Date(signUp.getTime() + 5 * DAY) };
    expect(kinds(shortTrial, signUp)).toEqual(['trial-reminder']);
  });

  it('uses the configured lead times', () => {
    const now = new Date(trialEnd.getTime() - 10 * DAY);
    expect(findDueNotices(trial, { ...settings, trialReminderDays: 10 }, now).map((notice) => notice.kind)).toEqual(['trial-reminder']);
  });

  it('reminds no one whose subscription ends with the trial, or who is no longer trialing', () => {
    const now = new Date(trialEnd.getTime() - DAY);
    expect(kinds({ ...trial, cancelAtPeriodEnd: true }, now)).toEqual([]);
    expect(kinds({ ...trial, status: 'canceled' }, now)).toEqual([]);
    expect(kinds({ ...trial, status: 'active' }, now)).toEqual([]);
  });
});

describe('findDueNotices: yearly renewal', () => {
  const periodEnd = at('2027-03-01T10:00:00.000Z');
  const yearly: ScheduleFacts = { status: 'active', interval: 'year', cancelAtPeriodEnd: false, trialEnd: null, currentPeriodEnd: periodEnd, pastDueSince: null };

  it('answers the renewal reminder from 30 days before the renewal', () => {
    expect(kinds(yearly, new Date(periodEnd.getTime() - 30 * DAY - 1))).toEqual([]);
    expect(findDueNotices(yearly, settings, new Date(periodEnd.getTime() - 30 * DAY))).toEqual([{ kind: 'renewal-reminder', periodEnd }]);
    expect(kinds(yearly, periodEnd)).toEqual([]);
  });

  it('leaves monthly plans, cancelling and past-due subscriptions alone', () => {
    const now = new Date(periodEnd.getTime() - DAY);
    expect(kinds({ ...yearly, interval: 'month' }, now)).toEqual([]);
    expect(kinds({ ...yearly, cancelAtPeriodEnd: true }, now)).toEqual([]);
    expect(kinds({ ...yearly, status: 'past_due', pastDueSince: now }, now)).toEqual([]);
  });
});

describe('findDueNotices: dunning', () => {
  const since = at('2026-04-01T10:00:00.000Z');
  const pastDue: ScheduleFacts = { status: 'past_due', interval: 'month', cancelAtPeriodEnd: false, trialEnd: null, currentPeriodEnd: at('2026-05-01T10:00:00.000Z'), pastDueSince: since };
  const dunningAt = (days: number, ms = 0) => findDueNotices(pastDue, settings, new Date(since.getTime() + days * DAY + ms));

  it('answers no follow-up before the first step', () => {
    expect(dunningAt(3, -1)).toEqual([]);
  });

  it.each([
    [3, 1, 'dunning-reminder'],
    [7, 2, 'dunning-reminder'],
    [14, 3, 'dunning-final-warning'],
  ])('answers step %i days after the failure as step %i (%s)', (days, step, template) => {
    expect(dunningAt(days)).toEqual([{ kind: 'dunning', template, pastDueSince: since, step, of: 3 }]);
  });

  it('answers only the highest step reached after a long gap', () => {
    expect(dunningAt(40)).toEqual([{ kind: 'dunning', template: 'dunning-final-warning', pastDueSince: since, step: 3, of: 3 }]);
    expect(dunningAt(10)).toEqual([expect.objectContaining({ step: 2 })]);
  });

  it('follows a configured schedule, where one step is also the last', () => {
    expect(findDueNotices(pastDue, { ...settings, dunningScheduleDays: [5] }, new Date(since.getTime() + 5 * DAY))).toEqual([
      { kind: 'dunning', template: 'dunning-final-warning', pastDueSince: since, step: 1, of: 1 },
    ]);
  });

  it('answers nothing once the subscription is active again', () => {
    expect(kinds({ ...pastDue, status: 'active', pastDueSince: null }, new Date(since.getTime() + 5 * DAY))).toEqual([]);
  });
});

describe('smsAllowedAt', () => {
  const quiet = '21:00-08:00';
  const amsterdam = 'Europe/Amsterdam';

  it('answers now outside the quiet hours', () => {
    // 12:00 in Amsterdam (CET, UTC+1).
    expect(smsAllowedAt(at('2026-02-10T11:00:00.000Z'), amsterdam, quiet).toISOString()).toBe('2026-02-10T11:00:00.000Z');
  });

  it.each([
    ['the evening, until the next local morning', '2026-02-10T20:30:00.000Z', '2026-02-11T07:00:00.000Z'],
    ['the start of the window itself', '2026-02-10T20:00:00.000Z', '2026-02-11T07:00:00.000Z'],
    ['after midnight, until the same morning', '2026-02-11T01:15:00.000Z', '2026-02-11T07:00:00.000Z'],
    ['the last second before the end', '2026-02-11T06:59:59.000Z', '2026-02-11T07:00:00.000Z'],
  ])('waits in %s', (_, now, expected) => {
    expect(smsAllowedAt(at(now), amsterdam, quiet).toISOString()).toBe(expected);
  });

  it('answers now at the very end of the quiet hours', () => {
    expect(smsAllowedAt(at('2026-02-11T07:00:00.000Z'), amsterdam, quiet).toISOString()).toBe('2026-02-11T07:00:00.000Z');
  });

  it('ends at 08:00 summer time after the night the clocks go forward', () => {
    // 21:30 CET on 28 March 2026; 08:00 on the 29th is CEST (UTC+2), 23 hours of wall clock later.
    expect(smsAllowedAt(at('2026-03-28T20:30:00.000Z'), amsterdam, quiet).toISOString()).toBe('2026-03-29T06:00:00.000Z');
  });

  it('ends at 08:00 winter time after the night the clocks go back', () => {
    // 00:00 CEST on 25 October 2026; 08:00 that morning is CET (UTC+1).
    expect(smsAllowedAt(at('2026-10-24T22:00:00.000Z'), amsterdam, quiet).toISOString()).toBe('2026-10-25T07:00:00.000Z');
  });

  it('ends when the clock jumps over an end time that does not exist that night', () => {
    // 01:30 CET; 02:30 is skipped on 29 March 2026: the clock goes from 02:00 CET to 03:00 CEST at 01:00Z.
    expect(smsAllowedAt(at('2026-03-29T00:30:00.000Z'), amsterdam, '01:00-02:30').toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('ends at the first of two moments that show the end time on the night the clocks go back', () => {
    // 00:30 CEST; 02:30 is shown at 00:30Z (CEST) and again at 01:30Z (CET).
    expect(smsAllowedAt(at('2026-10-24T22:30:00.000Z'), amsterdam, '00:00-02:30').toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('follows the zone of the customer, its own DST day included', () => {
    // 22:00 EST on 7 March 2026 in New York; clocks go forward that night, so 08:00 is EDT (UTC-4).
    expect(smsAllowedAt(at('2026-03-08T03:00:00.000Z'), 'America/New_York', quiet).toISOString()).toBe('2026-03-08T12:00:00.000Z');
    // 23:00 in Kolkata (UTC+5:30).
    expect(smsAllowedAt(at('2026-02-10T17:30:00.000Z'), 'Asia/Kolkata', quiet).toISOString()).toBe('2026-02-11T02:30:00.000Z');
  });

  it('handles a window that does not cross midnight', () => {
    expect(smsAllowedAt(at('2026-02-10T12:30:00.000Z'), amsterdam, '13:00-14:00').toISOString()).toBe('2026-02-10T13:00:00.000Z');
    expect(smsAllowedAt(at('2026-02-10T11:59:00.000Z'), amsterdam, '13:00-14:00').toISOString()).toBe('2026-02-10T11:59:00.000Z');
  });

  it('never waits when quiet hours are off', () => {
    expect(smsAllowedAt(at('2026-02-10T23:00:00.000Z'), amsterdam, 'off').toISOString()).toBe('2026-02-10T23:00:00.000Z');
  });
});
