import { describe, expect, it } from 'vitest';
import { decideNewSubscriptionTerms, grantedTrialDays, type PastSubscription } from '../../src/domain/new-subscription-terms.ts';

const past = (overrides: Partial<PastSubscription>): PastSubscription => ({ id: 'sub-1', provider: 'stripe', status: 'canceled', providerStatus: 'canceled', trialEnd: null, ...overrides });
const on = { trialOncePerCustomer: true };

describe('decideNewSubscriptionTerms', () => {
  it('gives a first subscription the free trial', () => {
    expect(decideNewSubscriptionTerms([], on)).toEqual({ kind: 'allowed', freeTrial: true });
  });

  it.each(['trialing', 'active', 'past_due', 'paused', 'incomplete'] as const)('refuses a second subscription next to a %s one, at any provider, setting or not', (status) => {
    for (const provider of ['stripe', 'paypal'] as const) {
      const live = past({ id: 'live', status, provider });
      expect(decideNewSubscriptionTerms([past({}), live], on)).toEqual({ kind: 'refused', live });
      expect(decideNewSubscriptionTerms([live], { trialOncePerCustomer: false })).toEqual({ kind: 'refused', live });
    }
  });

  it('withholds the trial after an earlier trial or paid subscription, canceled or at another provider', () => {
    const trial = past({ id: 'old-trial', trialEnd: new Date('2026-01-01T00:00:00Z') });
    expect(decideNewSubscriptionTerms([trial], on)).toEqual({ kind: 'allowed', freeTrial: false, refusal: { reason: 'trial_used', subscriptionId: 'old-trial' } });
    const paypal = past({ id: 'paid-paypal', provider: 'paypal', providerStatus: 'CANCELLED' });
    expect(decideNewSubscriptionTerms([paypal], on)).toMatchObject({ freeTrial: false, refusal: { subscriptionId: 'paid-paypal' } });
  });

  it('does not count a subscription whose first payment never came, and gives the trial again when the setting is off', () => {
    expect(decideNewSubscriptionTerms([past({ providerStatus: 'incomplete_expired' })], on)).toEqual({ kind: 'allowed', freeTrial: true });
    expect(decideNewSubscriptionTerms([past({ trialEnd: new Date() })], { trialOncePerCustomer: false })).toEqual({ kind: 'allowed', freeTrial: true });
  });

  it('grants the plan\'s days only with the trial', () => {
    expect(grantedTrialDays(30, { kind: 'allowed', freeTrial: true })).toBe(30);
    expect(grantedTrialDays(30, { kind: 'allowed', freeTrial: false, refusal: { reason: 'trial_used', subscriptionId: 'x' } })).toBe(0);
  });
});
