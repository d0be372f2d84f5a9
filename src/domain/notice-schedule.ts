import { addDays } from './calendar-period.ts';
import type { BillingInterval } from './plan.ts';
import type { SubscriptionStatus } from './subscription-status.ts';
import { firstInstantAtWallTime, wallClockAt } from './wall-clock.ts';

/** What the time-based notices depend on, read from one subscription row and its plan. */
export type ScheduleFacts = {
  status: SubscriptionStatus;
  interval: BillingInterval;
  cancelAtPeriodEnd: boolean;
  trialEnd: Date | null;
  currentPeriodEnd: Date | null;
  pastDueSince: Date | null;
};

export type NoticeScheduleSettings = {
  trialReminderDays: number;
  trialEndingDays: number;
  renewalReminderDays: number;
  /** Days after the payment failed, ascending; the last step is the final warning. */
  dunningScheduleDays: readonly number[];
};

export type DueNotice =
  | { kind: 'trial-reminder'; trialEnd: Date }
  | { kind: 'trial-ending'; trialEnd: Date }
  | { kind: 'renewal-reminder'; periodEnd: Date }
  | { kind: 'dunning'; template: 'dunning-reminder' | 'dunning-final-warning'; pastDueSince: Date; step: number; of: number };

/** `days` before `at`, up to and excluding `at` itself: the window in which a reminder is due. */
function withinDaysBefore(at: Date, days: number, now: Date): boolean {
  return at.getTime() > now.getTime() && addDays(at, -days).getTime() <= now.getTime();
}

/**
 * The time-based notices due for one subscription at `now`. A reminder is due from its lead time
 * until the moment itself, so a trial shorter than the lead time gets it at once and a scheduler
 * that was down catches up; the outbox's business key makes asking again harmless. Dunning answers
 * only the highest step reached: after a long gap the customer gets one follow-up, not a burst.
 */
export function findDueNotices(facts: ScheduleFacts, settings: NoticeScheduleSettings, now: Date): DueNotice[] {
  const due: DueNotice[] = [];
  const trialEnd = facts.trialEnd;
  if (facts.status === 'trialing' && !facts.cancelAtPeriodEnd && trialEnd) {
    if (withinDaysBefore(trialEnd, settings.trialReminderDays, now)) due.push({ kind: 'trial-reminder', trialEnd });
    if (withinDaysBefore(trialEnd, settings.trialEndingDays, now)) due.push({ kind: 'trial-ending', trialEnd });
  }
  const periodEnd = facts.currentPeriodEnd;
  if (facts.status === 'active' && facts.interval === 'year' && !facts.cancelAtPeriodEnd && periodEnd && withinDaysBefore(periodEnd, settings.renewalReminderDays, now)) {
    due.push({ kind: 'renewal-reminder', periodEnd });
  }
  const dunning = facts.status === 'past_due' && facts.pastDueSince ? dunningStep(facts.pastDueSince, settings.dunningScheduleDays, now) : null;
  if (dunning) due.push(dunning);
  return due;
}

function dunningStep(pastDueSince: Date, days: readonly number[], now: Date): DueNotice | null {
  let step = 0;
  for (const [index, day] of days.entries()) {
    if (addDays(pastDueSince, day).getTime() <= now.getTime()) step = index + 1;
  }
  if (step === 0) return null;
  const template = step === days.length ? 'dunning-final-warning' : 'dunning-reminder';
  return { kind: 'dunning', template, pastDueSince, step, of: days.length };
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When an SMS due at `now` may go out to someone in `timeZone`: now, outside the quiet hours
 * ("21:00-08:00", local wall-clock times; a window may cross midnight; "off" or an empty window
 * means none), otherwise the instant the quiet hours end on the customer's own clock, which on a
 * daylight-saving day is not a fixed number of hours away.
 */
export function smsAllowedAt(now: Date, timeZone: string, quietHours: string): Date {
  if (quietHours === 'off') return new Date(now.getTime());
  const [startText, endText] = quietHours.split('-') as [string, string];
  const [start, end] = [minutesOf(startText), minutesOf(endText)];
  const local = wallClockAt(now, timeZone);
  const crossesMidnight = start > end;
  const quiet = crossesMidnight ? local.minuteOfDay >= start || local.minuteOfDay < end : local.minuteOfDay >= start && local.minuteOfDay < end;
  if (!quiet) return new Date(now.getTime());
  // Quiet in the evening part of a window that crosses midnight: it ends on the next local day.
  const endsTomorrow = crossesMidnight && local.minuteOfDay >= start;
  const endWallMs = Date.UTC(local.year, local.month - 1, local.day + (endsTomorrow ? 1 : 0), Math.floor(end / 60), end % 60);
  return firstInstantAtWallTime(endWallMs, timeZone);
}
