import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/plan.ts';
import { previewPlanChange, type ProrationSubscription } from '../../src/domain/proration.ts';
import { monthly, yearly } from './webshop-plans.ts';

const at = (iso: string) => new Date(iso);
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

// March 2024 has 31 days: 2,678,400 seconds.
const onMonthly: ProrationSubscription = {
  status: 'active',
  plan: monthly,
  currentPeriodStart: at('2024-03-01T00:00:00.000Z'),
  currentPeriodEnd: at('2024-04-01T00:00:00.000Z'),
  trialEnd: null,
};
// 2024 is a leap year: 366 days.
const onYearly: ProrationSubscription = {
  ...onMonthly,
  plan: yearly,
  currentPeriodStart: at('2024-01-01T00:00:00.000Z'),
  currentPeriodEnd: at('2025-01-01T00:00:00.000Z'),
};

describe('previewPlanChange from monthly to yearly', () => {
  it('credits the whole month at the very start of the period', () => {
    const now = at('2024-03-01T00:00:00.000Z');
    expect(previewPlanChange(onMonthly, yearly, now)).toEqual({
      ok: true,
      kind: 'prorated',
      lineItems: [
        { kind: 'unused_time_credit', description: 'Unused time on Monthly after 2024-03-01', amount: eur(-2999) },
        { kind: 'new_plan_charge', description: 'Yearly (2024-03-01 – 2025-03-01)', amount: eur(29990) },
      ],
      total: eur(26991),
      amountDueNow: eur(26991),
      creditCarriedForward: eur(0),
      newPeriodStart: now,
      newPeriodEnd: at('2025-03-01T00:00:00.000Z'),
    });
  });

  it('credits half the month in the middle, rounding the half cent up', () => {
    // 15.5 of 31 days left: 2999 / 2 = 1499.5 -> 1500.
    const preview = previewPlanChange(onMonthly, yearly, at('2024-03-16T12:00:00.000Z'));
    expect(preview).toMatchObject({ ok: true, total: eur(28490), amountDueNow: eur(28490), creditCarriedForward: eur(0) });
    expect(preview.ok && preview.lineItems.map((item) => item.amount.amountMinor)).toEqual([-1500, 29990]);
  });

  it('credits nothing in the last second and still charges the full year', () => {
    const now = at('2024-03-31T23:59:59.000Z');
    const preview = previewPlanChange(onMonthly, yearly, now);
    expect(preview).toMatchObject({ ok: true, total: eur(29990), amountDueNow: eur(29990), newPeriodEnd: at('2025-03-31T23:59:59.000Z') });
    expect(preview.ok && Object.is(preview.lineItems[0]?.amount.amountMinor, 0)).toBe(true);
  });

  it('prorates whole seconds, ignoring milliseconds of now', () => {
    // With milliseconds the ratio would be 1499.499 -> 1499 instead of 1500.
    const preview = previewPlanChange(onMonthly, yearly, at('2024-03-16T12:00:00.999Z'));
    expect(preview).toMatchObject({ ok: true, total: eur(28490) });
  });
});

describe('previewPlanChange from yearly to monthly', () => {
  it('carries a credit forward when the unused year outweighs the month', () => {
    // 184 of 366 days left: 29990 * 184 / 366 = 15076.8 -> 15077.
    const now = at('2024-07-01T00:00:00.000Z');
    const preview = previewPlanChange(onYearly, monthly, now);
    expect(preview).toMatchObject({
      ok: true,
      kind: 'prorated',
      total: eur(-12078),
      amountDueNow: eur(0),
      creditCarriedForward: eur(12078),
      newPeriodStart: now,
      newPeriodEnd: at('2024-08-01T00:00:00.000Z'),
    });
    expect(preview.ok && preview.lineItems.map((item) => item.amount)).toEqual([eur(-15077), eur(2999)]);
  });

  it('starts the new monthly period at now and clamps its end to a short month', () => {
    const preview = previewPlanChange(onYearly, monthly, at('2024-01-31T10:00:00.000Z'));
    expect(preview).toMatchObject({ ok: true, newPeriodEnd: at('2024-02-29T10:00:00.000Z') });
  });

  it('makes the line items add up to the total', () => {
    const preview = previewPlanChange(onYearly, monthly, at('2024-10-17T08:13:27.000Z'));
    if (!preview.ok || preview.kind !== 'prorated') throw new Error('expected a prorated preview');
    const sum = preview.lineItems.reduce((acc, item) => acc + item.amount.amountMinor, 0);
    expect(sum).toBe(preview.total.amountMinor);
    expect(preview.amountDueNow.amountMinor - preview.creditCarriedForward.amountMinor).toBe(sum);
  });
});

describe('previewPlanChange during a trial', () => {
  it('changes the plan without charging or crediting, and keeps the trial end', () => {
    const trialEnd = at('2024-03-20T00:00:00.000Z');
    const trialing: ProrationSubscription = { ...onMonthly, status: 'trialing', trialEnd, currentPeriodEnd: trialEnd };
    expect(previewPlanChange(trialing, yearly, at('2024-03-10T00:00:00.000Z'))).toEqual({
      ok: true,
      kind: 'trial_continues',
      lineItems: [],
      amountDueNow: eur(0),
      creditCarriedForward: eur(0),
      trialEnd,
    });
  });
});

describe('previewPlanChange refusals', () => {
  const now = at('2024-03-16T12:00:00.000Z');

  it('refuses switching to the plan the subscription is already on', () => {
    expect(previewPlanChange(onMonthly, monthly, now)).toEqual({ ok: false, reason: 'same_plan' });
  });

  it('refuses a plan in another currency', () => {
    expect(previewPlanChange(onMonthly, { ...yearly, currency: 'USD' }, now)).toEqual({ ok: false, reason: 'currency_mismatch' });
  });

  it('refuses a different plan with the same interval, which Stripe bills at renewal instead', () => {
    const pro: Plan = { ...monthly, id: 'monthly-pro', amountMinor: 4999 };
    expect(previewPlanChange(onMonthly, pro, now)).toEqual({ ok: false, reason: 'same_interval' });
  });

  it.each(['past_due', 'paused', 'canceled', 'incomplete'] as const)('refuses a %s subscription', (status) => {
    expect(previewPlanChange({ ...onMonthly, status }, yearly, now)).toEqual({ ok: false, reason: 'status_not_changeable', status });
  });

  it('refuses a now outside the current period, including exactly its end', () => {
    expect(previewPlanChange(onMonthly, yearly, at('2024-04-01T00:00:00.000Z'))).toEqual({ ok: false, reason: 'outside_current_period' });
    expect(previewPlanChange(onMonthly, yearly, at('2024-02-29T23:59:59.999Z'))).toEqual({ ok: false, reason: 'outside_current_period' });
  });
});
