import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../support/test-database.ts';
import { DAY_S, iso, startChangeKit, type ChangeKit } from './change-kit.ts';
import { expectChargedAsPreviewed, previewThenSwitch, READING_S, SLOW_MS } from './switch-check.ts';

const PRICES = { monthly: 2999, yearly: 29990 } as const;
const DIRECTIONS = [
  ['monthly', 'yearly'],
  ['yearly', 'monthly'],
] as const;
const nowOf = (kit: ChangeKit) => Math.floor(kit.recur.kit.sandbox.ctx.clock.now().getTime() / 1000);

// A subscription set to cancel at period end has no renewal to promise, and a past_due one is not
// switched at all: the preview says exactly that, and the switch does exactly that.
describe.each(testDatabaseKinds)('a switch preview equals the switch, on an ending or unpaid subscription (%s)', (kind) => {
  let kit: ChangeKit | undefined;
  afterEach(async () => {
    await kit?.recur.close();
    kit = undefined;
  });

  it.each(DIRECTIONS)('set to cancel at period end, %s -> %s: charged as previewed, no renewal, it ends when the new period does', async (from, to) => {
    kit = await startChangeKit(kind);
    const stripe = kit.recur.kit.stripe;
    const recorded = await kit.subscribe(`shop-63-${from}`, from);
    await kit.advance({ days: 40 });
    expect((await kit.api('POST', `/v1/subscriptions/${recorded.id}/cancel`, { at: 'period_end' })).status).toBe(200);
    const item = (await stripe.subscriptions.retrieve(recorded.provider_subscription_id)).items.data[0]!;
    const now = nowOf(kit);
    const unused = Math.round((PRICES[from] * (item.current_period_end - now)) / (item.current_period_end - item.current_period_start));

    const { preview, answer } = await previewThenSwitch(kit, recorded.id, to);
    expect(preview.next_renewal).toBeNull();
    // From 2026-02-10: a year is 365 days, a month (to 2026-03-10) 28.
    expect(preview.ends_at).toBe(iso(now + (to === 'yearly' ? 365 : 28) * DAY_S));
    expect(preview.amount_due.amount_minor).toBe(Math.max(0, PRICES[to] - unused));
    expect(preview.credit_carried_forward.amount_minor).toBe(Math.max(0, unused - PRICES[to]));
    const invoice = await expectChargedAsPreviewed(kit, preview, answer);

    // Stripe keeps the cancel at the end of the new period (the switch started it a minute after the preview).
    const after = await stripe.subscriptions.retrieve(recorded.provider_subscription_id);
    expect([after.cancel_at_period_end, after.cancel_at! - Date.parse(preview.ends_at!) / 1000]).toEqual([true, READING_S]);
    expect(after.items.data[0]!.current_period_end).toBe(after.cancel_at);
    await kit.advance({ seconds: after.cancel_at! - nowOf(kit) + 60 });
    const ended = await stripe.subscriptions.retrieve(recorded.provider_subscription_id);
    expect([ended.status, ended.latest_invoice]).toEqual(['canceled', invoice.id]);
  }, SLOW_MS);

  it.each(DIRECTIONS)('past_due, %s -> %s: the preview and the switch refuse alike (the open invoice is paid first)', async (from, to) => {
    kit = await startChangeKit(kind);
    const stripe = kit.recur.kit.stripe;
    const recorded = await kit.subscribe(`shop-64-${from}`, from);
    const customer = String((await stripe.subscriptions.retrieve(recorded.provider_subscription_id)).customer);
    const failing = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer });
    await stripe.subscriptions.update(recorded.provider_subscription_id, { default_payment_method: failing.id });
    await kit.advance({ days: 31 });
    const before = await stripe.subscriptions.retrieve(recorded.provider_subscription_id);
    expect(before.status).toBe('past_due');
    const invoices = (await stripe.invoices.list({ subscription: before.id })).data.length;

    // recur's row still says trialing (its worker has not run): the decision follows Stripe.
    const preview = await kit.expectNothingWritten(() => kit!.api('POST', `/v1/subscriptions/${recorded.id}/switch/preview`, { plan: to }), 409, 'conflict');
    const switched = await kit.expectNothingWritten(() => kit!.api('POST', `/v1/subscriptions/${recorded.id}/switch`, { plan: to }), 409, 'conflict');
    expect(preview).toMatch(/past_due: its open invoice must be paid first/);
    expect(switched).toBe(preview);
    const after = await stripe.subscriptions.retrieve(recorded.provider_subscription_id);
    expect([after.items.data[0]!.price.lookup_key, (await stripe.invoices.list({ subscription: before.id })).data.length]).toEqual([`recur_${from}`, invoices]);
  }, SLOW_MS);
});
