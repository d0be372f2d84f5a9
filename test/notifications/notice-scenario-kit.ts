import { expect } from 'vitest';
import { deliverDueNotifications, type DeliveryRunSummary } from '../../src/notifications/deliver-due-notifications.ts';
import { scheduleDueNotices } from '../../src/notifications/schedule-due-notices.ts';
import { waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';

export const DAY_MS = 86_400_000;

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

export type SandboxMail = { id: string; to: string[]; from: string; subject: string | null; text: string | null; html: string | null; categories: string[]; custom_args: Record<string, string>; sent_at: string; status: string };
export type SandboxSms = { sid: string; to: string; from: string; body: string; date_created: string; status: string };

/** recur's HTTP API with the test's admin key. */
export function apiOf(recur: RunningRecur) {
  return (method: string, path: string, body?: unknown) =>
    fetch(`${recur.baseUrl}${path}`, { method, headers: { authorization: recur.t.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, redirect: 'manual' });
}

/**
 * A customer signs up as in the shop: created in recur (with phone and SMS consent when given),
 * then Stripe Checkout on the sandbox's hosted page with `card`, and the browser's redirect back.
 * `authenticated`: the customer also completes the page's 3D Secure challenge (a card that asks).
 */
export async function signUp(
  recur: RunningRecur,
  input: { externalId: string; email: string; name: string; phone?: string; smsConsent?: boolean; plan: string; card: string; authenticated?: boolean },
): Promise<{ subscriptionId: string }> {
  const api = apiOf(recur);
  const created = await api('POST', '/v1/customers', {
    external_id: input.externalId,
    email: input.email,
    name: input.name,
    locale: 'nl',
    time_zone: 'Europe/Amsterdam',
    ...(input.phone ? { phone: input.phone } : {}),
    ...(input.smsConsent !== undefined ? { sms_consent: input.smsConsent } : {}),
  });
  if (created.status !== 201) throw new Error(`customer: ${created.status} ${await created.text()}`);
  const started = await api('POST', '/v1/checkout', { customer: input.externalId, plan: input.plan, provider: 'stripe', return_url: 'https://shop.example/account' });
  if (started.status !== 201) throw new Error(`checkout: ${started.status} ${await started.text()}`);
  const { url } = (await started.json()) as { url: string };
  const paid = await fetch(url, form({ card: input.card, action: input.authenticated ? 'authenticated' : 'pay' }));
  expect(paid.status).toBe(303);
  const back = await fetch(paid.headers.get('location')!, { redirect: 'manual' });
  expect(back.status).toBe(303);
  const subscriptionId = new URL(back.headers.get('location')!).searchParams.get('subscription');
  if (!subscriptionId) throw new Error(`no subscription in the redirect: ${back.headers.get('location')}`);
  return { subscriptionId };
}

/**
 * What recur's scheduled jobs do in a day, made explicit so the test knows when they are done:
 * the Stripe events are processed, the scheduler looks for due notices, and the outbox is
 * delivered by TWO passes at once (each claims its own rows), then the providers' delivery
 * callbacks come back in.
 */
export async function runNoticeJobs(recur: RunningRecur): Promise<DeliveryRunSummary[]> {
  await waitUntilSettled(recur);
  const ctx = recur.t.ctx;
  await scheduleDueNotices(ctx, ctx.clock.now());
  const delivery = { ...ctx, messaging: ctx.messaging!, random: () => 0.5 };
  const passes = await Promise.all([deliverDueNotifications(delivery), deliverDueNotifications(delivery)]);
  await fetch(`${recur.kit.sandbox.url}/sandbox/webhooks/flush`, { method: 'POST' });
  return passes;
}

export async function advanceSandboxDays(recur: RunningRecur, days: number): Promise<void> {
  const response = await fetch(`${recur.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ days }) });
  if (!response.ok) throw new Error(`advance: ${response.status} ${await response.text()}`);
}

export async function mailsTo(recur: RunningRecur, email: string): Promise<SandboxMail[]> {
  const response = await fetch(`${recur.kit.sandbox.url}/sandbox/mail?to=${encodeURIComponent(email)}`);
  return ((await response.json()) as { data: SandboxMail[] }).data.reverse();
}

export async function smsTo(recur: RunningRecur, number: string): Promise<SandboxSms[]> {
  const response = await fetch(`${recur.kit.sandbox.url}/sandbox/sms?to=${encodeURIComponent(number)}`);
  return ((await response.json()) as { data: SandboxSms[] }).data.reverse();
}

/** Whole days since `start`, by the sandbox clock's time of sending. */
export const dayOf = (start: Date, at: string): number => Math.floor((Date.parse(at) - start.getTime()) / DAY_MS);

/** Node prints a no-break space between € and the amount in Dutch; tests read it as a space. */
export const plain = (text: string | null): string => (text ?? '').replace(/\u00a0|\u202f/g, ' ');
