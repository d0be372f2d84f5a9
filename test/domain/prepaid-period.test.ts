import { describe, expect, it } from 'vitest';
import { decideEntitlement, type EntitlementSubscription } from '../../src/domain/entitlement.ts';
import { decideNewSubscriptionTerms, type PastSubscription } from '../../src/domain/new-subscription-terms.ts';
import { coverageEnd, planPrepaidPeriod, prepaidPeriodBought, runningPeriod, type PrepaidCoverage } from '../../src/domain/prepaid-period.ts';

const at = (iso: string) => new Date(iso);
const monthly = { interval: 'month' as const, amountMinor: 2999, currency: 'EUR' };
const yearly = { interval: 'year' as const, amountMinor: 29990, currency: 'EUR' };
const period = (id: string, startsAt: string, endsAt: string): PrepaidCoverage => ({ id, startsAt: at(startsAt), endsAt: at(endsAt) });

describe('planPrepaidPeriod', () => {
  it('starts now without running prepaid time and ends after calendar months, priced per period', () => {
    expect(planPrepaidPeriod(monthly, 12, at('2026-01-31T10:00:00Z'), [])).toEqual({
      kind: 'planned',
      period: { startsAt: at('2026-01-31T10:00:00Z'), endsAt: at('2027-01-31T10:00:00Z'), amount: { amountMinor: 35988, currency: 'EUR' }, periods: 12 },
    });
    // 31 Jan + 1 month is the last day of February, as Stripe's billing anchor counts it.
    expect(planPrepaidPeriod(monthly, 1, at('2026-01-31T10:00:00Z'), [])).toMatchObject({ period: { endsAt: at('2026-02-28T10:00:00Z'), amount: { amountMinor: 2999 } } });
  });

  it('starts where the running prepaid time ends, so prepaying again extends it', () => {
    const running = [period('p1', '2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z')];
    expect(planPrepaidPeriod(monthly, 3, at('2026-02-15T00:00:00Z'), running)).toMatchObject({ kind: 'planned', period: { startsAt: at('2026-04-01T00:00:00Z'), endsAt: at('2026-07-01T00:00:00Z') } });
    // A period that ended is history, not coverage.
    expect(planPrepaidPeriod(monthly, 1, at('2026-05-01T00:00:00Z'), running)).toMatchObject({ period: { startsAt: at('2026-05-01T00:00:00Z') } });
  });

  it('refuses an end past 730 days (Stripe\'s longest trial), counted from the purchase', () => {
    const now = at('2026-01-01T10:00:00Z');
    expect(planPrepaidPeriod(yearly, 2, now, [])).toMatchObject({ kind: 'planned', period: { endsAt: at('2028-01-01T10:00:00Z') } });
    expect(planPrepaidPeriod(yearly, 3, now, [])).toEqual({ kind: 'too_far', endsAt: at('2029-01-01T10:00:00Z'), latest: at('2028-01-01T10:00:00Z') });
    // Two calendar years over 29 February 2028 are 731 days.
    expect(planPrepaidPeriod(monthly, 24, at('2026-03-01T10:00:00Z'), []).kind).toBe('too_far');
    // On top of a month already prepaid, two more years end too far.
    expect(planPrepaidPeriod(yearly, 2, now, [period('p1', '2026-01-01T10:00:00Z', '2026-02-01T10:00:00Z')]).kind).toBe('too_far');
    expect(() => planPrepaidPeriod(monthly, 0, now, [])).toThrow(RangeError);
  });
});

describe('coverage of prepaid periods', () => {
  const chain = [period('p1', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), period('p2', '2026-02-01T00:00:00Z', '2026-05-01T00:00:00Z'), period('p3', '2026-07-01T00:00:00Z', '2026-08-01T00:00:00Z')];

  it('runs through periods that follow on without a gap, and stops at a gap', () => {
    expect(coverageEnd(chain, at('2026-01-15T00:00:00Z'))).toEqual(at('2026-05-01T00:00:00Z'));
    expect(coverageEnd(chain, at('2026-05-01T00:00:00Z'))).toBeNull();
    expect(coverageEnd(chain, at('2026-07-01T00:00:00Z'))).toEqual(at('2026-08-01T00:00:00Z'));
    expect(runningPeriod(chain, at('2026-02-01T00:00:00Z'))?.id).toBe('p2');
    expect(runningPeriod(chain, at('2026-06-01T00:00:00Z'))).toBeNull();
  });

  it('records a bought period from the payment time, or from the end of the coverage then', () => {
    expect(prepaidPeriodBought('month', 12, at('2026-01-10T00:00:00Z'), chain)).toEqual({ startsAt: at('2026-05-01T00:00:00Z'), endsAt: at('2027-05-01T00:00:00Z') });
    expect(prepaidPeriodBought('year', 1, at('2026-06-10T00:00:00Z'), chain)).toEqual({ startsAt: at('2026-06-10T00:00:00Z'), endsAt: at('2027-06-10T00:00:00Z') });
  });
});

describe('entitlement from prepaid time', () => {
  const policy = { pastDueGraceDays: 7 };
  const prepaid = [period('p1', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')];

  it('grants until the end of the paid coverage, and not from its end on', () => {
    expect(decideEntitlement([], at('2026-06-01T00:00:00Z'), policy, prepaid)).toEqual({ entitled: true, reason: 'prepaid', until: at('2027-01-01T00:00:00Z'), prepaidPeriodId: 'p1' });
    expect(decideEntitlement([], at('2027-01-01T00:00:00Z'), policy, prepaid)).toEqual({ entitled: false, reason: 'no_subscription' });
    expect(decideEntitlement([], at('2025-12-31T00:00:00Z'), policy, prepaid)).toEqual({ entitled: false, reason: 'no_subscription' });
  });

  it('names the paid time over the auto-renew trial that bridges it, and the subscription once it is active', () => {
    const trial: EntitlementSubscription = { id: 'sub_1', status: 'trialing', trialEnd: at('2027-01-01T00:00:00Z'), currentPeriodEnd: at('2027-01-01T00:00:00Z'), cancelAtPeriodEnd: false, canceledAt: null };
    expect(decideEntitlement([trial], at('2026-06-01T00:00:00Z'), policy, prepaid)).toMatchObject({ reason: 'prepaid', prepaidPeriodId: 'p1' });
    const active = { ...trial, status: 'active' as const, trialEnd: null, currentPeriodEnd: at('2027-02-01T00:00:00Z') };
    expect(decideEntitlement([active], at('2027-01-02T00:00:00Z'), policy, prepaid)).toMatchObject({ reason: 'active', subscriptionId: 'sub_1' });
  });
});

describe('the rule for a new subscription with prepaid time', () => {
  const now = at('2026-06-01T00:00:00Z');
  const running = [period('p1', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')];
  const ended = [period('p0', '2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z')];
  const live: PastSubscription = { id: 'sub_1', provider: 'stripe', status: 'active', providerStatus: 'active', trialEnd: null };

  it('refuses a subscription checkout while prepaid time runs, but allows auto-renew and prepaying more', () => {
    const options = { trialOncePerCustomer: true, prepaid: { periods: running, now } };
    expect(decideNewSubscriptionTerms([], options)).toEqual({ kind: 'prepaid_running', running: running[0], paidUntil: at('2027-01-01T00:00:00Z') });
    expect(decideNewSubscriptionTerms([], { ...options, purchase: 'auto_renew' })).toEqual({ kind: 'allowed', freeTrial: false, refusal: { reason: 'prepaid_before', prepaidPeriodId: 'p1' } });
    expect(decideNewSubscriptionTerms([], { ...options, purchase: 'prepaid' }).kind).toBe('allowed');
  });

  it('refuses prepaid time beside a live subscription', () => {
    expect(decideNewSubscriptionTerms([live], { trialOncePerCustomer: true, prepaid: { periods: [], now }, purchase: 'prepaid' })).toEqual({ kind: 'refused', live });
  });

  it('counts prepaid time that ended as paid time: no free trial afterwards (when trial-once is on)', () => {
    expect(decideNewSubscriptionTerms([], { trialOncePerCustomer: true, prepaid: { periods: ended, now } })).toEqual({ kind: 'allowed', freeTrial: false, refusal: { reason: 'prepaid_before', prepaidPeriodId: 'p0' } });
    expect(decideNewSubscriptionTerms([], { trialOncePerCustomer: false, prepaid: { periods: ended, now } })).toEqual({ kind: 'allowed', freeTrial: true });
    expect(decideNewSubscriptionTerms([], { trialOncePerCustomer: true, prepaid: { periods: [], now } })).toEqual({ kind: 'allowed', freeTrial: true });
  });
});
