import { describe, expect, it } from 'vitest';
import { countSmsSegments } from '../../../src/notifications/format-sms.ts';
import { NOTICE_TEMPLATES, SMS_NOTICES } from '../../../src/notifications/notice-catalogue.ts';
import { NoticeRenderError, renderSms } from '../../../src/notifications/render-notice.ts';
import { sampleLinks } from '../../../src/notifications/sample-notices.ts';
import { sampleRequest } from './render-request.ts';

describe('counting SMS segments', () => {
  it('fits 160 GSM characters in one segment and splits longer text into 153-character parts', () => {
    expect(countSmsSegments('a'.repeat(160))).toBe(1);
    expect(countSmsSegments('a'.repeat(161))).toBe(2);
    expect(countSmsSegments('a'.repeat(306))).toBe(2);
    expect(countSmsSegments('a'.repeat(307))).toBe(3);
  });

  it('counts € twice (GSM extension table) and falls back to 70-character UCS-2 parts for other characters', () => {
    expect(countSmsSegments('€'.repeat(80))).toBe(1);
    expect(countSmsSegments('€'.repeat(81))).toBe(2);
    expect(countSmsSegments(`${'a'.repeat(70)}`)).toBe(1);
    expect(countSmsSegments(`ó${'a'.repeat(70)}`)).toBe(2);
    expect(countSmsSegments(`\u00a0${'a'.repeat(69)}`)).toBe(1);
  });
});

describe.each(['nl', 'en'] as const)('the trial-reminder SMS in %s', (locale) => {
  const sms = renderSms(sampleRequest('trial-reminder', locale));

  it('names the shop, the amount, the date and the cancel link', () => {
    expect(sms).toContain('Koffieclub');
    expect(sms).toContain(locale === 'nl' ? '€ 29,99' : '€29.99');
    expect(sms).toContain(locale === 'nl' ? '31 maart 2026' : '31 March 2026');
    expect(sms).toContain(sampleLinks.cancel);
  });

  it('fits in two segments of the GSM alphabet, without the no-break space Intl writes', () => {
    expect(sms).not.toContain('\u00a0');
    expect(sms).not.toMatch(/[<>\n]/);
    expect(countSmsSegments(sms)).toBeLessThanOrEqual(2);
    // GSM-7 throughout: at most 306 septets, with € counted twice.
    expect(sms.length + (sms.match(/€/g)?.length ?? 0)).toBeLessThanOrEqual(306);
  });
});

describe.each(['nl', 'en'] as const)('the final dunning SMS in %s', (locale) => {
  it('names the shop, the amount, the failure date and the link to fix the card, in two segments at most', () => {
    const sms = renderSms(sampleRequest('dunning-final-warning', locale));
    expect(sms).toContain('Koffieclub');
    expect(sms).toContain(locale === 'nl' ? '€ 29,99' : '€29.99');
    expect(sms).toContain(locale === 'nl' ? '31 maart 2026' : '31 March 2026');
    expect(sms).toContain(sampleLinks.payment_method);
    expect(countSmsSegments(sms)).toBeLessThanOrEqual(2);
  });
});

describe('with signed links of the length recur makes', () => {
  // A signed token (base64url claims and an HMAC) behind a shop's own domain: about 200 characters.
  const token = `${'e'.repeat(96)}.${'s'.repeat(43)}`;
  const links = { cancel: `https://abonnement.koffieclub.nl/links/cancel?token=${token}`, payment_method: `https://abonnement.koffieclub.nl/links/payment-method?token=${token}xxxxxxxxxxxxxxx` };

  it.each([
    ['trial-reminder', 'nl'],
    ['trial-reminder', 'en'],
    ['dunning-final-warning', 'nl'],
    ['dunning-final-warning', 'en'],
  ] as const)('%s in %s still fits in two segments', (template, locale) => {
    expect(links.payment_method.length).toBeGreaterThanOrEqual(215);
    const sms = renderSms({ ...sampleRequest(template, locale), links });
    expect(sms).toContain(template === 'trial-reminder' ? links.cancel : links.payment_method);
    expect(countSmsSegments(sms)).toBe(2);
  });
});

describe('a notice without SMS text', () => {
  it.each(NOTICE_TEMPLATES.filter((template) => !SMS_NOTICES.includes(template as never)))('%s refuses to render an SMS', (template) => {
    expect(() => renderSms(sampleRequest(template, 'nl'))).toThrow(NoticeRenderError);
  });
});
