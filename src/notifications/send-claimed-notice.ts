import type { Database } from '../db/database.ts';
import { markNoticeSent, releaseNotice, settleNotice, type ClaimedNotice } from '../db/repositories/notification-delivery-repository.ts';
import { findNoticeRecipient, type NoticeRecipient } from '../db/repositories/notice-schedule-repository.ts';
import { findSubscription } from '../db/repositories/subscription-repository.ts';
import { smsAllowedAt } from '../domain/notice-schedule.ts';
import type { SendResult } from '../providers/messaging/messaging.ts';
import type { MessagingContext, ServiceContext } from '../services/service-context.ts';
import { computeRetryDelayMs } from '../webhooks/compute-retry-delay.ts';
import { isNoticeTemplate } from './notice-catalogue.ts';
import { noticeStillWanted } from './notice-still-wanted.ts';
import { recordSmsOptOut } from './record-sms-opt-out.ts';
import { renderClaimedNotice, type RenderedNotice } from './render-claimed-notice.ts';

export type SendOutcome = 'sent' | 'retry' | 'failed' | 'dead' | 'suppressed' | 'canceled' | 'deferred' | 'claim-lost';

export type DeliveryContext = Pick<ServiceContext, 'db' | 'clock' | 'config'> & { messaging: MessagingContext; random: () => number };

/**
 * Sends one claimed row: the last checks (still wanted, SMS consent, quiet hours), the render,
 * the provider call, and the row's new state. Every state change is conditional on our claim,
 * so a row another worker took over (after our lease lapsed) is never settled twice.
 */
export async function sendClaimedNotice(ctx: DeliveryContext, notice: ClaimedNotice): Promise<SendOutcome> {
  const now = ctx.clock.now();
  const claim = { id: notice.id, claimToken: notice.claimToken, now };
  const settle = async (status: 'failed' | 'dead' | 'suppressed' | 'canceled', error: string, errorCode: string | null = null): Promise<SendOutcome> =>
    (await settleNotice(ctx.db, { ...claim, status, error, errorCode })) ? status : 'claim-lost';

  if (!isNoticeTemplate(notice.template)) return settle('dead', `unknown template "${notice.template}"`);
  const recipient = notice.customerId ? await findNoticeRecipient(ctx.db, notice.customerId) : null;
  if (notice.subscriptionId) {
    const subscription = await findSubscription(ctx.db, notice.subscriptionId);
    const wanted = noticeStillWanted(notice.template, notice.payload, subscription, now);
    if (!wanted.wanted) return settle('canceled', wanted.reason);
  }
  if (notice.channel === 'sms') {
    if (!recipient?.smsConsent) return settle('suppressed', 'the customer has not consented to SMS (or withdrew it)');
    const allowedAt = smsAllowedAt(now, timeZoneOf(ctx, recipient), ctx.config.SMS_QUIET_HOURS);
    if (allowedAt.getTime() > now.getTime()) {
      return (await releaseNotice(ctx.db, { ...claim, dueAt: allowedAt, error: null, countAttempt: false })) ? 'deferred' : 'claim-lost';
    }
  }

  let rendered: RenderedNotice;
  try {
    rendered = renderClaimedNotice(ctx, notice, timeZoneOf(ctx, recipient));
  } catch (error) {
    return settle('dead', `the notice cannot be rendered: ${messageOf(error)}`);
  }
  const result = await send(ctx.messaging, notice, rendered);
  return settleSend(ctx, notice, result);
}

async function send(messaging: MessagingContext, notice: ClaimedNotice, rendered: RenderedNotice): Promise<SendResult> {
  try {
    if (rendered.channel === 'email') {
      if (!messaging.email) return { kind: 'retry', reason: 'no e-mail sender is configured', retryAfterSeconds: null };
      return await messaging.email.send({ to: notice.recipient, subject: rendered.subject, text: rendered.text, html: rendered.html, reference: notice.id, category: notice.template });
    }
    if (!messaging.sms) return { kind: 'retry', reason: 'no SMS sender is configured', retryAfterSeconds: null };
    return await messaging.sms.send({ to: notice.recipient, body: rendered.body, reference: notice.id, statusCallbackUrl: smsStatusCallbackUrl(messaging, notice.id) });
  } catch (error) {
    // A sender maps every provider answer; anything thrown is unexpected, and retried like an outage.
    return { kind: 'retry', reason: `the sender failed: ${messageOf(error)}`, retryAfterSeconds: null };
  }
}

async function settleSend(ctx: DeliveryContext, notice: ClaimedNotice, result: SendResult): Promise<SendOutcome> {
  const now = ctx.clock.now();
  const claim = { id: notice.id, claimToken: notice.claimToken, now };
  switch (result.kind) {
    case 'sent':
      return (await markNoticeSent(ctx.db, { ...claim, providerMessageId: result.providerMessageId })) ? 'sent' : 'claim-lost';
    case 'retry': {
      if (notice.attempts >= ctx.config.NOTIFICATION_MAX_ATTEMPTS) {
        return (await settleNotice(ctx.db, { ...claim, status: 'dead', error: `gave up after ${notice.attempts} attempts: ${result.reason}`, errorCode: null })) ? 'dead' : 'claim-lost';
      }
      const backoffMs = computeRetryDelayMs(notice.attempts, ctx.random);
      const delayMs = Math.max(backoffMs, (result.retryAfterSeconds ?? 0) * 1000);
      const released = await releaseNotice(ctx.db, { ...claim, dueAt: new Date(now.getTime() + delayMs), error: result.reason, countAttempt: true });
      return released ? 'retry' : 'claim-lost';
    }
    case 'rejected':
      return settleRejected(ctx.db, notice, result, now);
    default:
      return assertNever(result);
  }
}

/** A permanent refusal: the row fails with the provider's code; an opted-out number also withdraws consent. */
async function settleRejected(db: Database, notice: ClaimedNotice, result: Extract<SendResult, { kind: 'rejected' }>, now: Date): Promise<SendOutcome> {
  return db.transaction(async (tx) => {
    const settled = await settleNotice(tx, { id: notice.id, claimToken: notice.claimToken, status: 'failed', error: result.reason, errorCode: result.code, now });
    if (!settled) return 'claim-lost';
    if (result.optedOut && notice.customerId) {
      await recordSmsOptOut(tx, { customerId: notice.customerId, notificationId: notice.id, reason: `the SMS provider refused the number as unsubscribed (${result.code})`, now });
    }
    return 'failed';
  });
}

export function smsStatusCallbackUrl(messaging: Pick<MessagingContext, 'publicBaseUrl'>, outboxId: string): string {
  return `${messaging.publicBaseUrl}/webhooks/twilio?outbox_id=${encodeURIComponent(outboxId)}`;
}

export function timeZoneOf(ctx: Pick<ServiceContext, 'config'>, recipient: Pick<NoticeRecipient, 'timeZone'> | null): string {
  return recipient?.timeZone ?? ctx.config.DEFAULT_TIME_ZONE;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function assertNever(value: never): never {
  throw new Error(`unhandled send result ${JSON.stringify(value)}`);
}
