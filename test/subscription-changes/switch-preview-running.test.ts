import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../support/test-database.ts';
import { DAY_S, iso, readSubscription, startChangeKit, type ChangeKit } from './change-kit.ts';
import { expectChargedAsPreviewed, expectNothingCharged, expectRenewalAsPreviewed, previewThenSwitch, READING_S, SLOW_MS } from './switch-check.ts';

const PRICES = { monthly: 2999, yearly: 29990 } as const;
const DIRECTIONS = [
  ['monthly', 'yearly'],
  ['yearly', 'monthly'],
] as const;

// A preview promises what the switch charges now and what the renewal after it charges; both are
// checked against what Stripe (the sandbox) then actually does, for a trialing and a paying subscription.
describe.each(testDatabaseKinds)('a switch preview equals the charge, on a running subscription (%s)', (kind) => {
  let kit: ChangeKit | undefined;
  afterEach(async () => {
    await kit?.recur.close();
    kit = undefined;
  });

  it.each(DIRECTIONS)('trialing, %s -> %s: nothing due now, the trial continues, its end charges the new plan', async (from, to) => {
    kit = await startChangeKit(kind);
    const recorded = await kit.subscribe(`shop-61-${from}`, from);
    await kit.advance({ days: 5 });
    const stripe = kit.recur.kit.stripe;
    const before = await stripe.subscriptions.retrieve(recorded.provider_subscription_id);
    expect(before.status).toBe('trialing');

    const { preview, answer } = await previewThenSwitch(kit, recorded.id, to);
    expect(preview.amount_due).toEqual({ amount_minor: 0, currency: 'EUR' });
    expect(preview.next_renewal).toEqual({ at: iso(before.trial_end!), amount_minor: PRICES[to], currency: 'EUR' });
    expect([preview.ends_at, preview.credit_carried_forward.amount_minor]).toEqual([null, 0]);
    await expectNothingCharged(kit, recorded.provider_subscription_id, before.latest_invoice as string, preview, answer);
    const after = await stripe.subscriptions.retrieve(recorded.provider_subscription_id);
    expect([after.status, after.trial_end, after.items.data[0]!.price.lookup_key]).toEqual(['trialing', before.trial_end, `recur_${to}`]);
    expect(answer.subscription).toMatchObject({ plan: to, status: 'trialing' });
    expect(await readSubscription(kit, recorded.id)).toMatchObject({ plan: to, status: 'trialing', trial_end: iso(before.trial_end!) });

    await expectRenewalAsPreviewed(kit, recorded.provider_subscription_id, preview, 0);
  }, SLOW_MS);

  it('active, monthly -> yearly: the year less the unused month now, the next year at full price', async () => {
    kit = await startChangeKit(kind);
    const recorded = await kit.subscribe('shop-6201', 'monthly');
    await kit.advance({ days: 40 });
    const stripe = kit.recur.kit.stripe;
    const item = (await stripe.subscriptions.retrieve(recorded.provider_subscription_id)).items.data[0]!;
    const now = Math.floor(kit.recur.kit.sandbox.ctx.clock.now().getTime() / 1000);
    const unused = Math.round((PRICES.monthly * (item.current_period_end - now)) / (item.current_period_end - item.current_period_start));

    const { preview, answer } = await previewThenSwitch(kit, recorded.id, 'yearly');
    expect(preview.amount_due).toEqual({ amount_minor: PRICES.yearly - unused, currency: 'EUR' });
    expect(preview.next_renewal).toEqual({ at: iso(now + 365 * DAY_S), amount_minor: PRICES.yearly, currency: 'EUR' });
    expect([preview.ends_at, preview.credit_carried_forward.amount_minor]).toEqual([null, 0]);
    await expectChargedAsPreviewed(kit, preview, answer);
    await expectRenewalAsPreviewed(kit, recorded.provider_subscription_id, preview, READING_S);
  }, SLOW_MS);

  it('active, yearly -> monthly: nothing due now, the unused year stays as credit and pays the next month', async () => {
    kit = await startChangeKit(kind);
    const recorded = await kit.subscribe('shop-6202', 'yearly');
    await kit.advance({ days: 40 });
    const stripe = kit.recur.kit.stripe;
    const item = (await stripe.subscriptions.retrieve(recorded.provider_subscription_id)).items.data[0]!;
    const now = Math.floor(kit.recur.kit.sandbox.ctx.clock.now().getTime() / 1000);
    const unused = Math.round((PRICES.yearly * (item.current_period_end - now)) / (item.current_period_end - item.current_period_start));
    const credit = unused - PRICES.monthly;

    const { preview, answer } = await previewThenSwitch(kit, recorded.id, 'monthly');
    expect(preview.amount_due).toEqual({ amount_minor: 0, currency: 'EUR' });
    expect(preview.credit_carried_forward).toEqual({ amount_minor: credit, currency: 'EUR' });
    // 2026-02-10 + one month is 2026-03-10: 28 days.
    expect(preview.next_renewal).toEqual({ at: iso(now + 28 * DAY_S), amount_minor: 0, currency: 'EUR' });
    const invoice = await expectChargedAsPreviewed(kit, preview, answer);
    expect([invoice.total, invoice.ending_balance]).toEqual([-credit, -credit]);
    const customer = String(invoice.customer);
    expect(await stripe.customers.retrieve(customer)).toMatchObject({ balance: -credit });

    // The credit pays the next month, and what is left of it waits for the one after.
    await expectRenewalAsPreviewed(kit, recorded.provider_subscription_id, preview, READING_S);
    expect(await stripe.customers.retrieve(customer)).toMatchObject({ balance: -(credit - PRICES.monthly) });
  }, SLOW_MS);
});
