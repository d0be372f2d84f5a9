import { describe, expect, it } from 'vitest';
import type { NoticeLocale } from '../../../src/notifications/notice-catalogue.ts';
import { renderEmail } from '../../../src/notifications/render-notice.ts';
import { sampleLinks } from '../../../src/notifications/sample-notices.ts';
import { sampleRequest, samplePayloadWith } from './render-request.ts';

/**
 * Visa and Mastercard: for a free trial that turns into a paid subscription, the confirmation at
 * sign-up and the reminder before the first charge state the amount, the date, the frequency and
 * an online way to cancel. The sample: EUR 29.99 monthly, trial ending 31 March 2026 (Amsterdam).
 */
const WORDS: Record<NoticeLocale, { amount: string; date: string; frequency: string; nothingToday: string }> = {
  nl: { amount: '€\u00a029,99', date: '31 maart 2026', frequency: 'per maand', nothingToday: 'Vandaag te betalen: €\u00a00,00' },
  en: { amount: '€29.99', date: '31 March 2026', frequency: 'per month', nothingToday: 'Due today:          €0.00' },
};

describe.each(['nl', 'en'] as const)('in %s', (locale) => {
  const words = WORDS[locale];

  it('the enrolment confirmation states plan, price, frequency, trial end, first charge, nothing due today and the cancel link', () => {
    const email = renderEmail(sampleRequest('enrolment-confirmation', locale));
    for (const part of [email.text, email.html]) {
      expect(part).toContain('Monthly');
      expect(part).toContain(`${words.amount} ${words.frequency}`);
      expect(part).toContain(words.date);
      expect(part).toContain(sampleLinks.cancel);
    }
    expect(email.text).toMatch(new RegExp(`${locale === 'nl' ? 'Eerste betaling' : 'First payment'}: +${words.amount} ${locale === 'nl' ? 'op' : 'on'} ${words.date}`));
    expect(email.text).toMatch(new RegExp(`${locale === 'nl' ? 'Gratis proefperiode tot' : 'Free trial until'}: +${words.date}`));
    expect(email.text.replace(/ +/g, ' ')).toContain(words.nothingToday.replace(/ +/g, ' '));
  });

  it('the enrolment confirmation without a trial says the first period is due today', () => {
    const payload = samplePayloadWith('enrolment-confirmation', { trial_end: null, next_charge_at: '2026-04-30T10:00:00Z' });
    const text = renderEmail(sampleRequest('enrolment-confirmation', locale, { payload })).text.replace(/ +/g, ' ');
    expect(text).toContain(`${locale === 'nl' ? 'Vandaag te betalen' : 'Due today'}: ${words.amount}`);
    expect(text).not.toMatch(/proefperiode tot|trial until/);
  });

  it('after prepaid time (auto-renew) the confirmation, the reminder and the trial-ending notice speak of time paid for, never of a free trial', () => {
    const payload = samplePayloadWith('enrolment-confirmation', { trial_paid: true });
    const confirmation = renderEmail(sampleRequest('enrolment-confirmation', locale, { payload })).text.replace(/ +/g, ' ');
    expect(confirmation).toContain(`${locale === 'nl' ? 'Vooruitbetaald tot' : 'Paid until'}: ${words.date}`);
    expect(confirmation).toContain(`${locale === 'nl' ? 'Eerste betaling' : 'First payment'}: ${words.amount} ${locale === 'nl' ? 'op' : 'on'} ${words.date}`);
    for (const template of ['enrolment-confirmation', 'trial-reminder', 'trial-ending'] as const) {
      const email = renderEmail(sampleRequest(template, locale, { payload: samplePayloadWith(template, { trial_paid: true }) }));
      expect(`${email.subject}\n${email.text}`, template).not.toMatch(/gratis|proefperiode|free|trial/i);
    }
  });

  it('the trial reminder states the amount, the date of the first charge, the frequency and the cancel link', () => {
    const email = renderEmail(sampleRequest('trial-reminder', locale));
    for (const part of [email.subject, email.text, email.html]) {
      expect(part).toContain(words.amount);
      expect(part).toContain(words.date);
    }
    for (const part of [email.text, email.html]) {
      expect(part).toContain(`${words.amount} ${words.frequency}`);
      expect(part).toContain(sampleLinks.cancel);
    }
  });

  it('the receipt states amount, date, plan and the payment method when known', () => {
    const text = renderEmail(sampleRequest('receipt', locale)).text;
    expect(text).toContain(words.amount);
    expect(text).toContain(words.date);
    expect(text).toContain('Monthly');
    expect(text).toContain('Visa •••• 4242');
    const withoutMethod = samplePayloadWith('receipt', { payment: { payment_id: 'pay_1', amount_minor: 2999, currency: 'EUR', paid_at: '2026-03-30T23:31:00Z', method_summary: null } });
    expect(renderEmail(sampleRequest('receipt', locale, { payload: withoutMethod })).text).not.toMatch(/Betaald met|Paid with/);
  });

  it('the refund receipt states the refunded amount and the total refunded', () => {
    const payload = samplePayloadWith('refund-receipt', { refunded_minor: 500, refunded_total_minor: 1500 });
    const text = renderEmail(sampleRequest('refund-receipt', locale, { payload })).text;
    expect(text).toContain(locale === 'nl' ? '€\u00a05,00' : '€5.00');
    expect(text).toContain(locale === 'nl' ? '€\u00a015,00 van €\u00a029,99' : '€15.00 of €29.99');
  });
});
