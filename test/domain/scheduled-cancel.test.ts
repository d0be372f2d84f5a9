import { describe, expect, it } from 'vitest';
import { decideEntitlement, type EntitlementSubscription } from '../../src/domain/entitlement.ts';
import { withScheduledCancel } from '../../src/domain/scheduled-cancel.ts';

const at = (iso: string) => new Date(iso);
const periodEnd = at('2026-03-01T10:00:00.000Z');
const held = { at: periodEnd, requestedAt: at('2026-02-10T09:00:00.000Z') };
const running = { trialEnd: null, cancelAtPeriodEnd: false, canceledAt: null, currentPeriodEnd: periodEnd };

describe('recur\'s own cancel at period end laid over the provider\'s answer', () => {
  const beforeEnd = { now: at('2026-03-01T09:30:00.000Z'), statusBefore: 'active' as const };

  it('leaves the answer alone when recur holds no request', () => {
    expect(withScheduledCancel(running, 'active', null, beforeEnd)).toEqual({ status: 'active', facts: running });
    const canceled = { trialEnd: null, cancelAtPeriodEnd: false, canceledAt: at('2026-02-20T00:00:00.000Z'), currentPeriodEnd: null };
    // A payer who cancels at the provider without a request in recur: canceled at once, at the provider's time.
    expect(withScheduledCancel(canceled, 'canceled', null, beforeEnd)).toEqual({ status: 'canceled', facts: canceled });
  });

  it('keeps a running subscription set to cancel, asked at the time of the request, whatever the provider says', () => {
    expect(withScheduledCancel(running, 'active', held, beforeEnd)).toEqual({ status: 'active', facts: { trialEnd: null, cancelAtPeriodEnd: true, canceledAt: held.requestedAt, currentPeriodEnd: periodEnd } });
  });

  it('keeps a subscription the provider cancelled early (recur\'s job, an hour before) running and set to cancel until the end of the paid period', () => {
    const early = { trialEnd: null, cancelAtPeriodEnd: false, canceledAt: at('2026-03-01T09:30:00.000Z'), currentPeriodEnd: null };
    const pending = { trialEnd: null, cancelAtPeriodEnd: true, canceledAt: held.requestedAt, currentPeriodEnd: periodEnd };
    expect(withScheduledCancel(early, 'canceled', held, beforeEnd)).toEqual({ status: 'active', facts: pending });
    expect(withScheduledCancel(early, 'canceled', held, { ...beforeEnd, statusBefore: 'trialing' })).toEqual({ status: 'trialing', facts: { ...pending, trialEnd: periodEnd } });
    expect(withScheduledCancel(early, 'canceled', held, { ...beforeEnd, statusBefore: 'past_due' })).toEqual({ status: 'past_due', facts: pending });
    // Paused (nobody entitled) or already ended: nothing runs on to keep.
    expect(withScheduledCancel(early, 'canceled', held, { ...beforeEnd, statusBefore: 'paused' })).toEqual({ status: 'canceled', facts: { trialEnd: null, cancelAtPeriodEnd: true, canceledAt: periodEnd, currentPeriodEnd: periodEnd } });
  });

  it('ends it at the end of the paid period, from that moment on recur\'s clock', () => {
    const early = { trialEnd: null, cancelAtPeriodEnd: false, canceledAt: at('2026-03-01T09:30:00.000Z'), currentPeriodEnd: null };
    const ended = { status: 'canceled', facts: { trialEnd: null, cancelAtPeriodEnd: true, canceledAt: periodEnd, currentPeriodEnd: periodEnd } };
    expect(withScheduledCancel(early, 'canceled', held, { now: periodEnd, statusBefore: 'active' })).toEqual(ended);
    expect(withScheduledCancel(early, 'canceled', held, { now: at('2026-03-02T00:00:00.000Z'), statusBefore: 'canceled' })).toEqual(ended);
  });

  it('keeps the provider\'s time when it cancelled later than the recorded end', () => {
    const late = at('2026-03-01T11:00:00.000Z');
    expect(withScheduledCancel({ trialEnd: null, cancelAtPeriodEnd: false, canceledAt: late, currentPeriodEnd: null }, 'canceled', held, { now: late, statusBefore: 'active' })).toMatchObject({
      status: 'canceled',
      facts: { canceledAt: late, currentPeriodEnd: late },
    });
  });
});

describe('entitlement of a subscription the provider cancelled before the end of its paid period', () => {
  const canceled: EntitlementSubscription = { id: 'sub_1', status: 'canceled', trialEnd: null, currentPeriodEnd: periodEnd, cancelAtPeriodEnd: true, canceledAt: periodEnd };
  const policy = { pastDueGraceDays: 7 };

  it('lasts until the recorded end, and not a moment after', () => {
    expect(decideEntitlement([canceled], at('2026-03-01T09:30:00.000Z'), policy)).toEqual({ entitled: true, reason: 'active', until: periodEnd, subscriptionId: 'sub_1' });
    expect(decideEntitlement([canceled], periodEnd, policy)).toEqual({ entitled: false, reason: 'canceled' });
  });

  it('of one recur shows running until the end (active, set to cancel): the same, to the moment', () => {
    const running: EntitlementSubscription = { ...canceled, status: 'active', canceledAt: held.requestedAt };
    expect(decideEntitlement([running], at('2026-03-01T09:30:00.000Z'), policy)).toEqual({ entitled: true, reason: 'active', until: periodEnd, subscriptionId: 'sub_1' });
    expect(decideEntitlement([running], periodEnd, policy)).toEqual({ entitled: false, reason: 'canceled' });
  });

  it('ends at once for a cancel now (canceled_at in the past) or without the cancel-at-period-end flag', () => {
    expect(decideEntitlement([{ ...canceled, canceledAt: at('2026-02-20T00:00:00.000Z') }], at('2026-02-21T00:00:00.000Z'), policy)).toEqual({ entitled: false, reason: 'canceled' });
    expect(decideEntitlement([{ ...canceled, cancelAtPeriodEnd: false }], at('2026-02-21T00:00:00.000Z'), policy)).toEqual({ entitled: false, reason: 'canceled' });
  });
});
