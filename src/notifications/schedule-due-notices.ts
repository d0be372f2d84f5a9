import type { Queryable } from '../db/database.ts';
import {
  findExistingOutboxKeys,
  findPastDueSince,
  findPeriodsEndingBetween,
  findTrialsEndingBetween,
  hasSubscriptionsBefore,
  latestFailedPaymentAmount,
  lockSubscriptionForNotice,
} from '../db/repositories/notice-schedule-repository.ts';
import { enqueueAdminAlert } from '../db/repositories/notification-outbox-repository.ts';
import type { SubscriptionRecord } from '../db/repositories/subscription-repository.ts';
import { addDays } from '../domain/calendar-period.ts';
import { findDueNotices, type DueNotice, type NoticeScheduleSettings } from '../domain/notice-schedule.ts';
import type { Plan } from '../domain/plan.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { buildMonthlyReport, previousMonth } from './build-monthly-report.ts';
import { enqueueCustomerNotice } from './enqueue-customer-notice.ts';

const noticeKey = (subscriptionId: string, notice: DueNotice): string => {
  switch (notice.kind) {
    case 'trial-reminder':
    case 'trial-ending':
      return `${notice.kind}:${subscriptionId}:${notice.trialEnd.toISOString()}`;
    case 'renewal-reminder':
      return `${notice.kind}:${subscriptionId}:${notice.periodEnd.toISOString()}`;
    case 'dunning':
      return `dunning:${subscriptionId}:${notice.pastDueSince.toISOString()}:${notice.step}`;
  }
};

function dueFor(subscription: SubscriptionRecord, plans: readonly Plan[], settings: NoticeScheduleSettings, now: Date): DueNotice[] {
  const plan = plans.find((candidate) => candidate.id === subscription.planId);
  return plan ? findDueNotices({ ...subscription, interval: plan.interval }, settings, now) : [];
}

async function writeNotice(tx: Queryable, subscription: SubscriptionRecord, notice: DueNotice, plans: readonly Plan[], now: Date): Promise<number> {
  const common = { businessKey: noticeKey(subscription.id, notice), subscription, plans, now };
  if (notice.kind !== 'dunning') {
    const outcome = await enqueueCustomerNotice(tx, { ...common, template: notice.kind, details: {} });
    return outcome.outcome === 'enqueued' ? outcome.written : 0;
  }
  // What the customer owes: the failed charge, or, when recur never saw it, the plan's price.
  const plan = plans.find((candidate) => candidate.id === subscription.planId);
  const amountDue = (await latestFailedPaymentAmount(tx, subscription.id)) ?? plan?.amountMinor ?? 0;
  const details = { amount_due_minor: amountDue, failed_at: notice.pastDueSince.toISOString(), step: notice.step, of: notice.of };
  const outcome = await enqueueCustomerNotice(tx, { ...common, template: notice.template, details });
  return outcome.outcome === 'enqueued' ? outcome.written : 0;
}

/**
 * One subscription's notices in its own short transaction, decided again on the locked row: the
 * candidate was read outside any transaction, and a webhook may have changed it since.
 */
async function writeDueNotices(ctx: ServiceContext, subscriptionId: string, settings: NoticeScheduleSettings, now: Date): Promise<number> {
  const plans = ctx.config.catalogue.plans;
  return ctx.db.transaction(async (tx) => {
    const subscription = await lockSubscriptionForNotice(tx, subscriptionId);
    if (!subscription) return 0;
    let written = 0;
    for (const notice of dueFor(subscription, plans, settings, now)) written += await writeNotice(tx, subscription, notice, plans, now);
    return written;
  });
}

async function findCandidates(db: Queryable, settings: NoticeScheduleSettings, now: Date): Promise<SubscriptionRecord[]> {
  const trialLead = Math.max(settings.trialReminderDays, settings.trialEndingDays);
  // Past due long enough to have reached the first follow-up; the rules pick the step.
  const firstDunningDay = settings.dunningScheduleDays[0]!;
  const found = [
    ...(await findTrialsEndingBetween(db, now, addDays(now, trialLead))),
    ...(await findPeriodsEndingBetween(db, now, addDays(now, settings.renewalReminderDays))),
    ...(await findPastDueSince(db, addDays(now, -firstDunningDay))),
  ];
  return [...new Map(found.map((subscription) => [subscription.id, subscription])).values()];
}

async function writeMonthlyReport(ctx: ServiceContext, now: Date): Promise<number> {
  const adminEmails = ctx.config.ADMIN_EMAILS;
  if (!adminEmails) return 0;
  const month = previousMonth(now);
  const businessKey = `report:monthly:${month.month}`;
  // Only to save the figures' queries on every run after the first; the key keeps it one report.
  if ((await findExistingOutboxKeys(ctx.db, [businessKey])).has(businessKey)) return 0;
  // A new installation does not report the months before its first subscription.
  if (!(await hasSubscriptionsBefore(ctx.db, month.end))) return 0;
  const payload = await buildMonthlyReport(ctx.db, month, ctx.config.catalogue.plans);
  return ctx.db.transaction((tx) => enqueueAdminAlert(tx, { businessKey, template: 'admin-monthly-report', payload, adminEmails, locale: ctx.config.DEFAULT_LOCALE, now }));
}

/**
 * Finds the time-based notices that are due at `now` and writes them into the outbox: trial
 * reminders and trial-ending notices, yearly renewal reminders, dunning follow-ups, and the
 * monthly report for the month before. Candidates come from date-indexed queries; the rules in
 * the domain decide; the business keys make a second run (or a second process) write nothing new.
 * A subscription whose notices are all written already costs no transaction.
 */
export async function scheduleDueNotices(ctx: ServiceContext, now: Date): Promise<{ written: number }> {
  const settings: NoticeScheduleSettings = {
    trialReminderDays: ctx.config.TRIAL_REMINDER_DAYS,
    trialEndingDays: ctx.config.TRIAL_ENDING_DAYS,
    renewalReminderDays: ctx.config.RENEWAL_REMINDER_DAYS,
    dunningScheduleDays: ctx.config.DUNNING_SCHEDULE_DAYS,
  };
  const plans = ctx.config.catalogue.plans;
  const candidates = await findCandidates(ctx.db, settings, now);
  const wanted = candidates.map((subscription) => ({ subscription, keys: dueFor(subscription, plans, settings, now).map((notice) => noticeKey(subscription.id, notice)) }));
  const existing = await findExistingOutboxKeys(ctx.db, wanted.flatMap((candidate) => candidate.keys));
  let written = 0;
  for (const { subscription, keys } of wanted) {
    if (keys.some((key) => !existing.has(key))) written += await writeDueNotices(ctx, subscription.id, settings, now);
  }
  written += await writeMonthlyReport(ctx, now);
  return { written };
}
