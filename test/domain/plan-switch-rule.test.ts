import { describe, expect, it } from 'vitest';
import { decidePlanSwitch } from '../../src/domain/plan-switch-rule.ts';

describe('decidePlanSwitch', () => {
  it('keeps a trial, invoices a paying subscription now, and ends instead of renewing when set to cancel', () => {
    expect(decidePlanSwitch({ status: 'trialing', cancelAtPeriodEnd: false })).toEqual({ allowed: true, billing: 'trial_continues', afterwards: 'renews' });
    expect(decidePlanSwitch({ status: 'trialing', cancelAtPeriodEnd: true })).toEqual({ allowed: true, billing: 'trial_continues', afterwards: 'ends' });
    expect(decidePlanSwitch({ status: 'active', cancelAtPeriodEnd: false })).toEqual({ allowed: true, billing: 'invoiced_now', afterwards: 'renews' });
    expect(decidePlanSwitch({ status: 'active', cancelAtPeriodEnd: true })).toEqual({ allowed: true, billing: 'invoiced_now', afterwards: 'ends' });
  });

  it('refuses past_due until its open invoice is paid, and every state that is not running', () => {
    expect(decidePlanSwitch({ status: 'past_due', cancelAtPeriodEnd: false })).toMatchObject({ allowed: false, why: expect.stringMatching(/open invoice must be paid first/) });
    for (const status of ['paused', 'canceled', 'incomplete'] as const) {
      expect(decidePlanSwitch({ status, cancelAtPeriodEnd: false })).toEqual({ allowed: false, why: `is ${status}; only an active or trialing subscription can switch plans` });
    }
  });
});
