import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { advanceSandboxDays, apiOf, dayOf, mailsTo, runNoticeJobs, signUp } from '../notifications/notice-scenario-kit.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startRunningRecur, type RunningRecur } from './running-recur.ts';

const START = new Date('2026-03-02T09:00:00Z');

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

/**
 * A customer whose card asks for 3D Secure on every payment pays the held renewal (day 60) on
 * Stripe's hosted invoice page with another card. A Checkout Session cannot choose what Stripe does
 * with that card, so recur sets the subscription's `save_default_payment_method` to
 * `on_subscription` once the checkout completes: the card that paid becomes the default, and the
 * next renewal (day 91) is charged to it without asking the customer again.
 */
describe.each(testDatabaseKinds)('the card that pays a held renewal on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  }, 120_000);

  it('becomes the subscription default, and the next renewal is charged to it', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true });
    const running = recur;
    await running.startWorker();
    const stripe = running.kit.stripe;
    const who = { externalId: 'shop-9101', email: 'other-card@example.nl' };
    const { subscriptionId } = await signUp(running, { ...who, name: who.externalId, plan: 'monthly', card: 'pm_card_authenticationRequired', authenticated: true });
    const recorded = (await (await apiOf(running)('GET', `/v1/subscriptions/${subscriptionId}`)).json()) as { provider_subscription_id: string };
    const atStripe = () => stripe.subscriptions.retrieve(recorded.provider_subscription_id);
    await poll('the subscription told to keep the card that pays', async () => ((await atStripe()).payment_settings?.save_default_payment_method === 'on_subscription' ? true : null));
    const cardOf = async (subscription: Stripe.Subscription) => (await stripe.paymentMethods.retrieve(String(subscription.default_payment_method))).card?.last4;
    expect(await cardOf(await atStripe())).toBe('3184');

    for (const days of [29, 1, 30]) {
      await advanceSandboxDays(running, days);
      await runNoticeJobs(running);
    }
    const held = (await stripe.invoices.list({ subscription: recorded.provider_subscription_id, status: 'open', limit: 1 })).data[0]!;
    const paid = await fetch(held.hosted_invoice_url!, form({ action: 'pay', card: 'pm_card_visa' }));
    expect(await paid.text()).toContain('<span id="status">paid</span>');
    await runNoticeJobs(running);
    expect(await cardOf(await atStripe())).toBe('4242');

    for (let day = 61; day <= 92; day++) {
      await advanceSandboxDays(running, 1);
      await runNoticeJobs(running);
    }
    const renewal = (await stripe.invoices.list({ subscription: recorded.provider_subscription_id, limit: 1 })).data[0]!;
    expect(renewal).toMatchObject({ status: 'paid', billing_reason: 'subscription_cycle' });
    expect(dayOf(START, new Date(renewal.created * 1000).toISOString())).toBeGreaterThan(85);
    const subscription = (await (await apiOf(running)('GET', `/v1/subscriptions/${subscriptionId}`)).json()) as { status: string };
    expect(subscription.status).toBe('active');
    const mails = (await mailsTo(running, who.email)).filter((mail) => dayOf(START, mail.sent_at) >= 60).map((mail) => [dayOf(START, mail.sent_at), mail.categories[0]]);
    expect(mails.filter(([, template]) => template === 'payment-action-required')).toEqual([[60, 'payment-action-required']]);
    expect(mails.filter(([, template]) => template === 'receipt').length).toBe(2);
  }, 300_000);
});
