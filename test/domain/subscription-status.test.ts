import { describe, expect, it } from 'vitest';
import {
  checkTransition,
  mapProviderStatus,
  SUBSCRIPTION_STATUSES,
  type SubscriptionStatus,
} from '../../src/domain/subscription-status.ts';

describe('mapProviderStatus for Stripe', () => {
  it.each([
    ['trialing', 'trialing'],
    ['active', 'active'],
    ['past_due', 'past_due'],
    ['unpaid', 'past_due'],
    ['canceled', 'canceled'],
    ['incomplete', 'incomplete'],
    ['incomplete_expired', 'canceled'],
    ['paused', 'paused'],
  ] as const)('maps %s to %s', (raw, status) => {
    expect(mapProviderStatus('stripe', raw)).toEqual({ ok: true, status });
  });
});

describe('mapProviderStatus for PayPal', () => {
  it.each([
    ['APPROVAL_PENDING', 'incomplete'],
    ['APPROVED', 'incomplete'],
    ['ACTIVE', 'active'],
    ['SUSPENDED', 'paused'],
    ['CANCELLED', 'canceled'],
    ['EXPIRED', 'canceled'],
  ] as const)('maps %s to %s', (raw, status) => {
    expect(mapProviderStatus('paypal', raw)).toEqual({ ok: true, status });
  });
});

describe('mapProviderStatus for unknown statuses', () => {
  it.each([
    ['stripe', 'Active'],
    ['stripe', 'ACTIVE'],
    ['stripe', 'cancelled'],
    ['paypal', 'active'],
    ['paypal', 'canceled'],
    ['stripe', ''],
    ['stripe', 'constructor'],
    ['paypal', 'toString'],
    ['paypal', '__proto__'],
  ] as const)('%s "%s" is reported, not guessed', (provider, raw) => {
    expect(mapProviderStatus(provider, raw)).toEqual({ ok: false, reason: 'unknown_status', provider, raw });
  });
});

const ALLOWED: Record<SubscriptionStatus, SubscriptionStatus[]> = {
  incomplete: ['trialing', 'active', 'canceled'],
  trialing: ['active', 'past_due', 'paused', 'canceled'],
  active: ['trialing', 'past_due', 'paused', 'canceled'],
  past_due: ['active', 'paused', 'canceled'],
  paused: ['active', 'past_due', 'canceled'],
  canceled: [],
};

describe('checkTransition', () => {
  it('treats the same status again as a no-op, even for canceled', () => {
    for (const status of SUBSCRIPTION_STATUSES) {
      expect(checkTransition(status, status)).toEqual({ ok: true, change: 'none' });
    }
  });

  it('allows exactly the documented transitions between different statuses', () => {
    for (const from of SUBSCRIPTION_STATUSES) {
      for (const to of SUBSCRIPTION_STATUSES) {
        if (from === to) continue;
        const expected = ALLOWED[from].includes(to)
          ? { ok: true, change: 'changed' }
          : { ok: false, reason: from === 'canceled' ? 'terminal' : 'not_allowed', from, to };
        expect(checkTransition(from, to), `${from} -> ${to}`).toEqual(expected);
      }
    }
  });

  it('never leaves canceled', () => {
    expect(checkTransition('canceled', 'active')).toEqual({ ok: false, reason: 'terminal', from: 'canceled', to: 'active' });
    expect(checkTransition('canceled', 'trialing')).toMatchObject({ ok: false, reason: 'terminal' });
  });

  it.each([
    ['incomplete', 'past_due'],
    ['incomplete', 'paused'],
    ['past_due', 'trialing'],
    ['paused', 'trialing'],
    ['trialing', 'incomplete'],
    ['active', 'incomplete'],
  ] as const)('rejects %s -> %s', (from, to) => {
    expect(checkTransition(from, to)).toEqual({ ok: false, reason: 'not_allowed', from, to });
  });

  it.each([
    ['incomplete', 'active'],
    ['trialing', 'active'],
    ['trialing', 'paused'],
    ['active', 'past_due'],
    ['past_due', 'active'],
    ['paused', 'active'],
    ['active', 'canceled'],
  ] as const)('allows %s -> %s', (from, to) => {
    expect(checkTransition(from, to)).toEqual({ ok: true, change: 'changed' });
  });
});
