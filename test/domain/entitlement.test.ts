import { describe, expect, it } from 'vitest';
import { decideEntitlement, type EntitlementSubscription } from '../../src/domain/entitlement.ts';

const at = (iso: string) => new Date(iso);
const now = at('2024-06-10T12:00:00.000Z');
const policy = { pastDueGraceDays: 7 };

function subscription(overrides: Partial<EntitlementSubscription>): EntitlementSubscription {
  return {
    id: 'sub_1',
    status: 'active',
    trialEnd: null,
    currentPeriodEnd: at('2024-07-01T00:00:00.000Z'),
    cancelAtPeriodEnd: false,
    canceledAt: null,
    pastDueSince: null,
    ...overrides,
  };
}

describe('decideEntitlement for one subscription', () => {
  it('denies a customer without subscriptions', () => {
    expect(decideEntitlement([], now, policy)).toEqual({ entitled: false, reason: 'no_subscription' });
  });

  it('grants an active subscription until its period end', () => {
    expect(decideEntitlement([subscription({})], now, policy)).toEqual({
      entitled: true,
      reason: 'active',
      until: at('2024-07-01T00:00:00.000Z'),
      subscriptionId: 'sub_1',
    });
  });

  it('keeps granting an active subscription whose renewal is still being processed', () => {
    const late = subscription({ currentPeriodEnd: at('2024-06-10T11:00:00.000Z') });
    expect(decideEntitlement([late], now, policy)).toMatchObject({ entitled: true, reason: 'active' });
  });

  it('grants a subscription whose first debit is still processing until the period it pays for ends, unless the shop denies it', () => {
    const processing = subscription({ status: 'incomplete', paymentProcessing: true });
    expect(decideEntitlement([processing], now, policy)).toEqual({ entitled: true, reason: 'payment_processing', until: at('2024-07-01T00:00:00.000Z'), subscriptionId: 'sub_1' });
    expect(decideEntitlement([processing], now, { ...policy, entitledWhileProcessing: false })).toEqual({ entitled: false, reason: 'payment_processing' });
    expect(decideEntitlement([subscription({ status: 'incomplete' })], now, policy)).toEqual({ entitled: false, reason: 'incomplete' });
  });

  it("denies an active subscription while its renewal's debit processes only when the shop says so", () => {
    const renewing = subscription({ paymentProcessing: true });
    expect(decideEntitlement([renewing], now, policy)).toMatchObject({ entitled: true, reason: 'active' });
    expect(decideEntitlement([renewing], now, { ...policy, entitledWhileProcessing: false })).toEqual({ entitled: false, reason: 'payment_processing' });
  });

  it('grants a subscription canceled at period end until that end, and not from that moment', () => {
    const ending = subscription({ cancelAtPeriodEnd: true, currentPeriodEnd: at('2024-06-10T12:00:00.001Z') });
    expect(decideEntitlement([ending], now, policy)).toMatchObject({ entitled: true, reason: 'active' });
    const ended = subscription({ cancelAtPeriodEnd: true, currentPeriodEnd: now });
    expect(decideEntitlement([ended], now, policy)).toEqual({ entitled: false, reason: 'canceled' });
  });

  it('grants a trial until its end, and denies one set to end with it from that moment', () => {
    const trialEnd = at('2024-06-10T12:00:00.001Z');
    const trial = subscription({ status: 'trialing', trialEnd, currentPeriodEnd: trialEnd });
    expect(decideEntitlement([trial], now, policy)).toEqual({ entitled: true, reason: 'trialing', until: trialEnd, subscriptionId: 'sub_1' });
    const over = subscription({ status: 'trialing', trialEnd: now, currentPeriodEnd: now, cancelAtPeriodEnd: true });
    expect(decideEntitlement([over], now, policy)).toEqual({ entitled: false, reason: 'trial_expired' });
  });

  it('keeps granting a trial past its end while its conversion is in flight (no word from the provider yet)', () => {
    const converting = subscription({ status: 'trialing', trialEnd: now, currentPeriodEnd: now });
    expect(decideEntitlement([converting], now, policy)).toEqual({ entitled: true, reason: 'trialing', until: now, subscriptionId: 'sub_1' });
  });

  it('falls back to the period end for a trial without trial end, and trusts the status without either', () => {
    const periodOnly = subscription({ status: 'trialing', trialEnd: null, currentPeriodEnd: at('2024-06-11T00:00:00Z') });
    expect(decideEntitlement([periodOnly], now, policy)).toMatchObject({ entitled: true, reason: 'trialing', until: at('2024-06-11T00:00:00Z') });
    const periodOnlyEnding = subscription({ status: 'trialing', trialEnd: null, currentPeriodEnd: at('2024-06-01T00:00:00Z'), cancelAtPeriodEnd: true });
    expect(decideEntitlement([periodOnlyEnding], now, policy)).toEqual({ entitled: false, reason: 'trial_expired' });
    const noDates = subscription({ status: 'trialing', trialEnd: null, currentPeriodEnd: null });
    expect(decideEntitlement([noDates], now, policy)).toMatchObject({ entitled: true, reason: 'trialing', until: null });
  });

  it('denies an immediately canceled subscription even though its paid period has not ended', () => {
    const canceled = subscription({ status: 'canceled', canceledAt: at('2024-06-09T00:00:00Z') });
    expect(decideEntitlement([canceled], now, policy)).toEqual({ entitled: false, reason: 'canceled' });
  });

  it.each(['paused', 'incomplete'] as const)('denies a %s subscription', (status) => {
    expect(decideEntitlement([subscription({ status })], now, policy)).toEqual({ entitled: false, reason: status });
  });
});

describe('decideEntitlement past-due grace', () => {
  const since = at('2024-06-03T12:00:00.000Z'); // exactly 7 days before now

  it('grants until the last millisecond of the grace period', () => {
    const pastDue = subscription({ status: 'past_due', pastDueSince: since });
    expect(decideEntitlement([pastDue], at('2024-06-10T11:59:59.999Z'), policy)).toEqual({
      entitled: true,
      reason: 'past_due_grace',
      until: now,
      subscriptionId: 'sub_1',
    });
  });

  it('denies exactly at the end of the grace period', () => {
    const pastDue = subscription({ status: 'past_due', pastDueSince: since });
    expect(decideEntitlement([pastDue], now, policy)).toEqual({ entitled: false, reason: 'past_due_expired' });
  });

  it('counts from pastDueSince rather than the period end when both are known', () => {
    const pastDue = subscription({ status: 'past_due', pastDueSince: at('2024-06-09T00:00:00Z'), currentPeriodEnd: at('2024-05-01T00:00:00Z') });
    expect(decideEntitlement([pastDue], now, policy)).toMatchObject({ entitled: true, until: at('2024-06-16T00:00:00Z') });
  });

  it('counts from the period end when pastDueSince is missing or null', () => {
    const withoutField = subscription({ status: 'past_due', currentPeriodEnd: since });
    delete withoutField.pastDueSince;
    expect(decideEntitlement([withoutField], at('2024-06-10T11:59:59.999Z'), policy)).toMatchObject({ entitled: true, until: now });
    expect(decideEntitlement([subscription({ status: 'past_due', currentPeriodEnd: since })], now, policy)).toEqual({
      entitled: false,
      reason: 'past_due_expired',
    });
  });

  it('denies when there is no date to count the grace from', () => {
    const pastDue = subscription({ status: 'past_due', pastDueSince: null, currentPeriodEnd: null });
    expect(decideEntitlement([pastDue], now, policy)).toEqual({ entitled: false, reason: 'past_due_expired' });
  });

  it('gives no grace at all when the grace is 0 days', () => {
    const pastDue = subscription({ status: 'past_due', pastDueSince: now });
    expect(decideEntitlement([pastDue], now, { pastDueGraceDays: 0 })).toEqual({ entitled: false, reason: 'past_due_expired' });
  });

  it.each([-1, 1.5])('rejects a grace of %s days', (pastDueGraceDays) => {
    expect(() => decideEntitlement([], now, { pastDueGraceDays })).toThrow(RangeError);
  });
});

describe('decideEntitlement with several subscriptions', () => {
  it('grants when any subscription grants, whatever the order', () => {
    const canceled = subscription({ id: 'old', status: 'canceled' });
    const active = subscription({ id: 'new' });
    expect(decideEntitlement([canceled, active], now, policy)).toMatchObject({ entitled: true, subscriptionId: 'new' });
    expect(decideEntitlement([active, canceled], now, policy)).toMatchObject({ entitled: true, subscriptionId: 'new' });
  });

  it('prefers active over trialing over past-due grace', () => {
    const pastDue = subscription({ id: 'due', status: 'past_due', pastDueSince: now });
    const trial = subscription({ id: 'trial', status: 'trialing', trialEnd: at('2025-01-01T00:00:00Z') });
    const active = subscription({ id: 'paid', currentPeriodEnd: at('2024-06-11T00:00:00Z') });
    expect(decideEntitlement([pastDue, trial], now, policy)).toMatchObject({ reason: 'trialing', subscriptionId: 'trial' });
    expect(decideEntitlement([pastDue, trial, active], now, policy)).toMatchObject({ reason: 'active', subscriptionId: 'paid' });
  });

  it('prefers the later end among equals, and an open end over any date', () => {
    const sooner = subscription({ id: 'sooner', currentPeriodEnd: at('2024-07-01T00:00:00Z') });
    const later = subscription({ id: 'later', currentPeriodEnd: at('2025-06-01T00:00:00Z') });
    const open = subscription({ id: 'open', currentPeriodEnd: null });
    expect(decideEntitlement([sooner, later], now, policy)).toMatchObject({ subscriptionId: 'later' });
    expect(decideEntitlement([later, sooner], now, policy)).toMatchObject({ subscriptionId: 'later' });
    expect(decideEntitlement([later, open, sooner], now, policy)).toMatchObject({ subscriptionId: 'open', until: null });
  });

  it('reports the denial the customer can act on before history', () => {
    const canceled = subscription({ id: 'a', status: 'canceled' });
    const expiredTrial = subscription({ id: 'b', status: 'trialing', trialEnd: at('2024-01-01T00:00:00Z'), cancelAtPeriodEnd: true });
    const incomplete = subscription({ id: 'c', status: 'incomplete' });
    const pastDue = subscription({ id: 'd', status: 'past_due', pastDueSince: at('2024-01-01T00:00:00Z') });
    expect(decideEntitlement([canceled, expiredTrial], now, policy)).toEqual({ entitled: false, reason: 'trial_expired' });
    expect(decideEntitlement([canceled, expiredTrial, incomplete], now, policy)).toEqual({ entitled: false, reason: 'incomplete' });
    expect(decideEntitlement([incomplete, pastDue, canceled], now, policy)).toEqual({ entitled: false, reason: 'past_due_expired' });
  });
});
