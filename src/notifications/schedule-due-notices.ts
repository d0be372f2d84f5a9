import type { Queryable } from '../db/database.ts';
import {
  findDunningNoticeCandidates,
  findRenewalNoticeCandidates,
  findTrialNoticeCandidates,
  type CandidateCursor,
  type CandidatePage,
} from '../db/repositories/notice-candidate-repository.ts';
import { findExistingOutboxKeys, findWaitingPaymentAction, hasSubscriptionsBefore, latestFailedPaymentAmount, lockSubscriptionForNotice } from '../db/repositories/notice-schedule-repository.ts';
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
  // A renewal held for authentication: the customer has a payment to confirm, not a card to fix.
  // The step's key is the dunning one, so each step sends one reminder, of one kind.
  const waiting = await findWaitingPaymentAction(tx, subscription.id);
  if (waiting) {
    const details = { payment_id: waiting.paymentId, amount_due_minor: waiting.amountDueMinor, action_url: waiting.actionUrl, step: notice.step, of: notice.of };
    const outcome = await enqueueCustomerNotice(tx, { ...common, template: 'payment-action-required', details });
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

/** How many candidates one query reads: bounds the memory and the work between two awaits. */
const DEFAULT_PAGE_SIZE = 500;

type CandidateFinder = (after: CandidateCursor | null, limit: number) => Promise<CandidatePage>;

/**
 * Every finder asks only for subscriptions with a notice due and not yet written (its key is not
 * in the outbox), so a pass after the first reads little more than what it writes.
 */
function candidateFinders(db: Queryable, plans: readonly Plan[], settings: NoticeScheduleSettings, now: Date): CandidateFinder[] {
  const planIds = plans.map((plan) => plan.id);
  const trials: CandidateFinder = (after, limit) =>
    findTrialNoticeCandidates(db, { now, reminderUntil: addDays(now, settings.trialReminderDays), endingUntil: addDays(now, settings.trialEndingDays), planIds }, after, limit);
  // Past due long enough to have reached the first follow-up; the rules pick the step.
  const dunning: CandidateFinder = (after, limit) =>
    findDunningNoticeCandidates(db, { now, reachedBy: addDays(now, -settings.dunningScheduleDays[0]!), scheduleDays: settings.dunningScheduleDays, planIds }, after, limit);
  // Only yearly plans get a renewal reminder (findDueNotices).
  const renewals = plans
    .filter((plan) => plan.interval === 'year')
    .map((plan): CandidateFinder => (after, limit) => findRenewalNoticeCandidates(db, { now, until: addDays(now, settings.renewalReminderDays), planId: plan.id }, after, limit));
  return [trials, ...renewals, dunning];
}

/** Writes each candidate's due notices, one page at a time, each page after the one before. */
async function writeFoundNotices(ctx: ServiceContext, find: CandidateFinder, settings: NoticeScheduleSettings, now: Date, pageSize: number): Promise<number> {
  let written = 0;
  let after: CandidateCursor | null = null;
  do {
    const page: CandidatePage = await find(after, pageSize);
    for (const subscription of page.candidates) written += await writeDueNotices(ctx, subscription.id, settings, now);
    after = page.next;
  } while (after);
  return written;
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
 * monthly report for the month before. Candidates come from date-indexed queries that leave out
 * what the outbox already holds, a page at a time; the rules in the domain decide on the locked
 * row; the business keys make a second run (or a second process) write nothing new. A
 * subscription whose notices are all written already is not even read. `pageSize` is for tests.
 */
export async function scheduleDueNotices(ctx: ServiceContext, now: Date, options: { pageSize?: number } = {}): Promise<{ written: number }> {
  const settings: NoticeScheduleSettings = {
    trialReminderDays: ctx.config.TRIAL_REMINDER_DAYS,
    trialEndingDays: ctx.config.TRIAL_ENDING_DAYS,
    renewalReminderDays: ctx.config.RENEWAL_REMINDER_DAYS,
    dunningScheduleDays: ctx.config.DUNNING_SCHEDULE_DAYS,
  };
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  let written = 0;
  for (const find of candidateFinders(ctx.db, ctx.config.catalogue.plans, settings, now)) written += await writeFoundNotices(ctx, find, settings, now, pageSize);
  written += await writeMonthlyReport(ctx, now);
  return { written };
}
