import { describe, expect, it } from 'vitest';
import { chooseEmulatedProviders, isDevelopment } from '../../src/config/development-setup.ts';
import { ConfigError } from '../../src/config/load-config.ts';

// PayPal in the development setup (ADR 0014): emulated in the key-less start, optional beside the
// other providers, and its real credentials count as configuration like Stripe's.
const base = { SANDBOX: 'auto', HOST: '127.0.0.1', LINK_SIGNING_SECRET: undefined, PAYPAL_MODE: 'sandbox' } as const;
const stripe = { STRIPE_SECRET_KEY: 'sk_test_51Hx0000000000000000000000000000', STRIPE_WEBHOOK_SECRET: ['whsec_test'] };
const messaging = { SENDGRID_API_KEY: 'SG.key', TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'token' };
const paypal = { PAYPAL_CLIENT_ID: 'AZrealClientId0000', PAYPAL_CLIENT_SECRET: 'EKrealSecret0000', PAYPAL_WEBHOOK_ID: '8PT597110X687430LKGECATA' };

describe('PayPal in the development setup', () => {
  it('is emulated with the others when no provider is configured', () => {
    expect(chooseEmulatedProviders(base)).toEqual(['stripe', 'paypal', 'sendgrid', 'twilio']);
  });

  it('is optional: Stripe, SendGrid and Twilio configured without PayPal run without the sandbox, not refused', () => {
    expect(chooseEmulatedProviders({ ...base, ...stripe, ...messaging })).toEqual([]);
    expect(isDevelopment({ ...base, ...stripe, ...messaging })).toBe(false);
  });

  it('real PayPal credentials alone are a deployment: the sandbox does not stand in for the rest, the missing keys are named', () => {
    expect(() => chooseEmulatedProviders({ ...base, ...paypal })).toThrow(new ConfigError(
      'STRIPE_SECRET_KEY, SENDGRID_API_KEY, TWILIO_ACCOUNT_SID: required beside PAYPAL_CLIENT_ID (missing); set them, or SANDBOX=off to run without Stripe and SendGrid and Twilio (the sandbox stands in for providers only when none is configured, or with SANDBOX=on in development)',
    ));
    expect(isDevelopment({ ...base, ...paypal })).toBe(false);
  });

  it('SANDBOX=on emulates PayPal when its settings are missing, and refuses to run beside live PayPal', () => {
    expect(chooseEmulatedProviders({ ...base, SANDBOX: 'on', ...stripe })).toEqual(['paypal', 'sendgrid', 'twilio']);
    expect(chooseEmulatedProviders({ ...base, SANDBOX: 'on', ...paypal })).toEqual(['stripe', 'sendgrid', 'twilio']);
    expect(() => chooseEmulatedProviders({ ...base, SANDBOX: 'on', ...paypal, PAYPAL_MODE: 'live' })).toThrow(/^SANDBOX=on: refused beside live PayPal \(PAYPAL_MODE=live\)/);
    expect(isDevelopment({ ...base, SANDBOX: 'on', ...paypal, PAYPAL_MODE: 'live' })).toBe(false);
    expect(isDevelopment({ ...base, SANDBOX: 'on', ...paypal })).toBe(true);
  });
});
