import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeLinkClaims, LINK_VALIDITY_DAYS, makeNoticeLinks, signLinkToken, verifyLinkToken } from '../../src/notifications/link-token.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const SUBSCRIPTION = '6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b';
const NOW = new Date('2026-03-01T10:00:00Z');
const IN_A_DAY = new Date('2026-03-02T10:00:00Z');

const tokenFor = (purpose: 'cancel' | 'payment_method' = 'cancel', expiresAt = IN_A_DAY, secret = SECRET) => signLinkToken(secret, { purpose, subscriptionId: SUBSCRIPTION, expiresAt });

describe('signed link tokens', () => {
  it('verifies a token for its purpose and subscription until it expires', () => {
    expect(verifyLinkToken(SECRET, tokenFor(), 'cancel', NOW)).toEqual({ ok: true, subscriptionId: SUBSCRIPTION, expiresAt: IN_A_DAY });
    expect(verifyLinkToken(SECRET, tokenFor('payment_method'), 'payment_method', new Date(IN_A_DAY.getTime() - 1))).toMatchObject({ ok: true });
  });

  it('refuses it from the instant it expires', () => {
    expect(verifyLinkToken(SECRET, tokenFor(), 'cancel', IN_A_DAY)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token of the other purpose, even though its signature is good', () => {
    expect(verifyLinkToken(SECRET, tokenFor('payment_method'), 'cancel', NOW)).toEqual({ ok: false, reason: 'wrong-purpose' });
    expect(verifyLinkToken(SECRET, tokenFor('cancel'), 'payment_method', NOW)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it('refuses a token signed with another secret', () => {
    expect(verifyLinkToken(SECRET, tokenFor('cancel', IN_A_DAY, 'another-secret-of-at-least-32-characters'), 'cancel', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses claims changed after signing: another subscription, a later expiry, another purpose', () => {
    const [, signature] = tokenFor().split('.') as [string, string];
    const forged = [
      { purpose: 'cancel' as const, subscriptionId: '00000000-0000-4000-8000-000000000000', expiresAt: IN_A_DAY },
      { purpose: 'cancel' as const, subscriptionId: SUBSCRIPTION, expiresAt: new Date(IN_A_DAY.getTime() + 365 * 86_400_000) },
      { purpose: 'payment_method' as const, subscriptionId: SUBSCRIPTION, expiresAt: IN_A_DAY },
    ];
    for (const claims of forged) expect(verifyLinkToken(SECRET, `${encodeLinkClaims(claims)}.${signature}`, 'cancel', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('is short enough for an SMS: 53 characters', () => {
    expect(tokenFor()).toMatch(/^[A-Za-z0-9_-]{30}\.[A-Za-z0-9_-]{22}$/);
  });

  it('refuses a signature with one character changed, cut short or spelled differently', () => {
    const token = tokenFor();
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(verifyLinkToken(SECRET, flipped, 'cancel', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyLinkToken(SECRET, token.slice(0, -2), 'cancel', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    const [payload, signature] = token.split('.') as [string, string];
    const padded = `${payload}.${Buffer.from(signature, 'base64url').toString('base64').replace(/\+/g, '-').replace(/\//g, '_')}`;
    expect(verifyLinkToken(SECRET, padded, 'cancel', NOW).ok).toBe(false);
  });

  it.each([
    ['an empty string', ''],
    ['no dot', 'abcdef'],
    ['three parts', 'a.b.c'],
    ['characters outside base64url', 'a+b.c/d'],
    ['a very long string', `${'a'.repeat(600)}.${'b'.repeat(22)}`],
  ])('calls %s malformed', (_name, token) => {
    expect(verifyLinkToken(SECRET, token, 'cancel', NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('calls correctly signed claims that are not a link malformed', () => {
    // Signed the way recur signs, so only the claims check can refuse them.
    const signRaw = (bytes: Buffer) => {
      const encoded = bytes.toString('base64url');
      return `${encoded}.${createHmac('sha256', SECRET).update(`recur-link.${encoded}`).digest().subarray(0, 16).toString('base64url')}`;
    };
    const good = Buffer.from(encodeLinkClaims({ purpose: 'cancel', subscriptionId: SUBSCRIPTION, expiresAt: IN_A_DAY }), 'base64url');
    const withByte = (index: number, value: number) => Buffer.from(good.map((byte, at) => (at === index ? value : byte)));
    const odd = [good.subarray(0, 21), Buffer.concat([good, Buffer.from([0])]), withByte(0, 2), withByte(1, 9), Buffer.alloc(0)];
    for (const bytes of odd) expect(verifyLinkToken(SECRET, signRaw(bytes), 'cancel', NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyLinkToken(SECRET, signRaw(good), 'cancel', NOW)).toMatchObject({ ok: true });
  });

  it('refuses to sign without a secret or for something that is not a subscription id', () => {
    expect(() => signLinkToken('', { purpose: 'cancel', subscriptionId: SUBSCRIPTION, expiresAt: IN_A_DAY })).toThrow(/secret/);
    expect(() => signLinkToken(SECRET, { purpose: 'cancel', subscriptionId: 'shop-1001', expiresAt: IN_A_DAY })).toThrow(/uuid/);
  });

  it(`makes a notice's cancel and payment-method links, valid for ${LINK_VALIDITY_DAYS} days`, () => {
    const links = makeNoticeLinks({ publicBaseUrl: 'https://billing.example.nl', linkSecret: SECRET }, SUBSCRIPTION, NOW);
    const cancel = new URL(links.cancel);
    const paymentMethod = new URL(links.payment_method);
    expect(`${cancel.origin}${cancel.pathname}`).toBe('https://billing.example.nl/links/cancel');
    expect(`${paymentMethod.origin}${paymentMethod.pathname}`).toBe('https://billing.example.nl/links/payment-method');
    const expiresAt = new Date(NOW.getTime() + 60 * 86_400_000);
    expect(verifyLinkToken(SECRET, cancel.searchParams.get('token')!, 'cancel', NOW)).toEqual({ ok: true, subscriptionId: SUBSCRIPTION, expiresAt });
    expect(verifyLinkToken(SECRET, paymentMethod.searchParams.get('token')!, 'payment_method', NOW)).toEqual({ ok: true, subscriptionId: SUBSCRIPTION, expiresAt });
    expect(verifyLinkToken(SECRET, cancel.searchParams.get('token')!, 'cancel', expiresAt)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyLinkToken(SECRET, paymentMethod.searchParams.get('token')!, 'cancel', NOW)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });
});
