import { describe, expect, it } from 'vitest';
import { CUSTOMER_NOTICES, NOTICE_TEMPLATES, type NoticeLocale } from '../../../src/notifications/notice-catalogue.ts';
import { renderEmail } from '../../../src/notifications/render-notice.ts';
import { sampleLinks } from '../../../src/notifications/sample-notices.ts';
import { isAdminNotice, sampleRequest, samplePayloadWith } from './render-request.ts';

const LOCALES: NoticeLocale[] = ['nl', 'en'];
const cases = NOTICE_TEMPLATES.flatMap((template) => LOCALES.map((locale) => [template, locale] as const));
const HOSTILE = '<b>Jan & co</b>';

describe.each(cases)('%s in %s', (template, locale) => {
  it('renders a subject, a plain text without HTML, and an HTML document in the locale', () => {
    const email = renderEmail(sampleRequest(template, locale));
    expect(email.subject.trim()).not.toBe('');
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).not.toMatch(/<[a-z/!]/i);
    expect(email.text).not.toMatch(/&(amp|lt|gt|quot|#39);/);
    expect(email.html).toMatch(new RegExp(`^<!DOCTYPE html>\\n<html lang="${locale}">`));
    // No external images or scripts: nothing a mail client blocks or a tracker could use.
    expect(email.html).not.toMatch(/<(img|script|link)\b/i);
    expect(email.html).not.toMatch(/\{\{|\}\}|undefined|null|NaN/);
    expect(email.text).not.toMatch(/\{\{|\}\}|undefined|null|NaN/);
  });

  it('escapes every interpolated value in the HTML', () => {
    // Customer notices greet the customer by name; admin alerts list fields they do not know;
    // the monthly report has fixed figures, and the shop's name.
    const request =
      template === 'admin-monthly-report'
        ? { ...sampleRequest(template, locale), shop: { name: HOSTILE, support_email: null } }
        : sampleRequest(template, locale, { payload: samplePayloadWith(template, isAdminNotice(template) ? { note: HOSTILE } : { customer_name: HOSTILE }) });
    const email = renderEmail(request);
    expect(email.html).toContain('&lt;b&gt;Jan &amp; co&lt;/b&gt;');
    expect(email.html).not.toContain(HOSTILE);
    expect(email.text).toContain(HOSTILE);
  });
});

describe.each(CUSTOMER_NOTICES.flatMap((template) => LOCALES.map((locale) => [template, locale] as const)))('customer notice %s in %s', (template, locale) => {
  it('carries the online cancel link in text and HTML', () => {
    const email = renderEmail(sampleRequest(template, locale));
    expect(email.text).toContain(sampleLinks.cancel);
    expect(email.html).toContain(`href="${sampleLinks.cancel}"`);
  });
});

describe.each(['payment-failed', 'dunning-reminder', 'dunning-final-warning'] as const)('dunning notice %s', (template) => {
  it.each(LOCALES)('links to fixing the card in %s', (locale) => {
    const email = renderEmail(sampleRequest(template, locale));
    expect(email.text).toContain(sampleLinks.payment_method);
    expect(email.html).toContain(`href="${sampleLinks.payment_method}"`);
  });
});

describe('links in HTML', () => {
  it('are escaped inside the href attribute', () => {
    const request = { ...sampleRequest('trial-reminder', 'en'), links: { cancel: 'https://shop.example/c?t=1&u="x"', payment_method: sampleLinks.payment_method } };
    const email = renderEmail(request);
    expect(email.html).toContain('href="https://shop.example/c?t=1&amp;u=&quot;x&quot;"');
    expect(email.text).toContain('https://shop.example/c?t=1&u="x"');
  });
});
