import { describe, expect, it } from 'vitest';
import type { NoticeLocale, NoticeTemplate } from '../../../src/notifications/notice-catalogue.ts';
import { renderEmail } from '../../../src/notifications/render-notice.ts';
import { sampleLinks } from '../../../src/notifications/sample-notices.ts';
import { sampleRequest, samplePayloadWith } from './render-request.ts';

/**
 * SEPA's pre-notification: before each debit the debtor is told the date and amount of the debit,
 * the mandate it is taken under and the creditor identifier. The sample: EUR 29.99 monthly, the
 * trial ending 31 March 2026 (Amsterdam), so the first debit is on that day.
 */
const WORDS: Record<NoticeLocale, { date: string; amount: string; mandate: string; creditor: string; debitDate: string }> = {
  nl: { date: '31 maart 2026', amount: '€\u00a029,99', mandate: 'Machtigingskenmerk', creditor: 'Incassant-ID', debitDate: 'Datum van afschrijving' },
  en: { date: '31 March 2026', amount: '€29.99', mandate: 'Mandate reference', creditor: 'Creditor identifier', debitDate: 'Debit date' },
};
const MANDATE = 'MDT4Q7ZK2P9WX3LA';
const CREDITOR = 'NL69ZZZ123456780000';

const render = (template: NoticeTemplate, locale: NoticeLocale, fields: Record<string, unknown>, creditor: string | null = CREDITOR) => {
  const request = sampleRequest(template, locale, { payload: samplePayloadWith(template, fields) });
  return renderEmail({ ...request, shop: { ...request.shop, sepa_creditor_id: creditor } });
};
const flat = (text: string) => text.replace(/ +/g, ' ');

describe.each(['nl', 'en'] as const)('in %s', (locale) => {
  const words = WORDS[locale];

  it.each(['trial-reminder', 'enrolment-confirmation'] as const)('the %s of a subscription paid by direct debit states debit date, amount, mandate and creditor', (template) => {
    const email = render(template, locale, { mandate_reference: MANDATE });
    const text = flat(email.text);
    expect(text).toContain(`${words.debitDate}: ${words.date}`);
    expect(text).toContain(`${words.amount}`);
    expect(text).toContain(`${words.mandate}: ${MANDATE}`);
    expect(text).toContain(`${words.creditor}: ${CREDITOR}`);
    expect(email.html).toContain(MANDATE);
    expect(email.html).toContain(CREDITOR);
  });

  it('the yearly renewal reminder states the renewal as the debit date', () => {
    const text = flat(render('renewal-reminder', locale, { mandate_reference: MANDATE }).text);
    expect(text).toContain(`${words.debitDate}: ${locale === 'nl' ? '31 maart 2027' : '31 March 2027'}`);
    expect(text).toContain(`${words.mandate}: ${MANDATE}`);
  });

  it('leaves the creditor line out when the shop set no creditor identifier, and the whole block for a card subscription', () => {
    const withoutCreditor = flat(render('trial-reminder', locale, { mandate_reference: MANDATE }, null).text);
    expect(withoutCreditor).toContain(`${words.mandate}: ${MANDATE}`);
    expect(withoutCreditor).not.toContain(words.creditor);
    const card = flat(render('trial-reminder', locale, {}).text);
    expect(card).not.toContain(words.mandate);
    expect(card).not.toContain(words.debitDate);
  });

  it('the returned debit says the bank returned it, the amount still due, the mandate, and links to paying another way', () => {
    const email = render('direct-debit-returned', locale, {});
    expect(email.subject).toContain(locale === 'nl' ? 'incasso' : 'direct debit');
    expect(email.subject).toContain(words.amount);
    const text = flat(email.text);
    expect(text).toContain(`${words.mandate}: RECUR7F3K9Q2M4T8`);
    expect(text).toContain(sampleLinks.payment_method);
    expect(text).toContain(sampleLinks.cancel);
    expect(email.html).toContain(sampleLinks.payment_method.replaceAll('&', '&amp;'));
  });
});
