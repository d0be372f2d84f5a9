import { describe, expect, it } from 'vitest';
import type { NoticeOverrides } from '../../../src/config/catalogue-schema.ts';
import { NOTICE_TEMPLATES } from '../../../src/notifications/notice-catalogue.ts';
import { placeholdersOf, renderEmail, renderSms, validateNoticeOverrides } from '../../../src/notifications/render-notice.ts';
import { sampleLinks } from '../../../src/notifications/sample-notices.ts';
import { sampleRequest, samplePayloadWith } from './render-request.ts';

const KEEPS_TERMS = 'Op {{first_charge_date}} betaal je {{amount}} {{frequency}}. Opzeggen: {{cancel_url}}';

describe("a shop's own wording", () => {
  it('replaces subject, text and SMS for its template and locale, with the values formatted', () => {
    const overrides: NoticeOverrides = {
      'trial-reminder': { nl: { subject: '{{shop_name}}: bijna voorbij, {{ customer_name }}', text: `Hoi {{customer_name}}! ${KEEPS_TERMS}`, sms: 'Koffie! {{amount}} op {{first_charge_date}}: {{cancel_url}}' } },
    };
    const request = sampleRequest('trial-reminder', 'nl', { overrides });
    const email = renderEmail(request);
    expect(email.subject).toBe('Koffieclub: bijna voorbij, Jan de Vries');
    expect(email.text).toBe(`Hoi Jan de Vries! Op 31 maart 2026 betaal je €\u00a029,99 per maand. Opzeggen: ${sampleLinks.cancel}`);
    expect(renderSms(request)).toBe(`Koffie! € 29,99 op 31 maart 2026: ${sampleLinks.cancel}`);
    // What the shop did not write stays recur's.
    expect(email.html).toContain('Online opzeggen');
  });

  it('leaves the other locale and the other templates alone', () => {
    const overrides: NoticeOverrides = { 'trial-reminder': { nl: { subject: 'Eigen onderwerp' } } };
    expect(renderEmail(sampleRequest('trial-reminder', 'en', { overrides })).subject).toMatch(/^Reminder: /);
    expect(renderEmail(sampleRequest('trial-ending', 'nl', { overrides })).subject).not.toBe('Eigen onderwerp');
  });

  it('escapes values in an HTML override, not the markup around them', () => {
    const overrides: NoticeOverrides = { 'trial-reminder': { en: { html: `<p>Dear <strong>{{customer_name}}</strong>, ${KEEPS_TERMS}</p>` } } };
    const payload = samplePayloadWith('trial-reminder', { customer_name: '<b>Jan & co</b>' });
    const html = renderEmail(sampleRequest('trial-reminder', 'en', { overrides, payload })).html;
    expect(html).toBe(`<p>Dear <strong>&lt;b&gt;Jan &amp; co&lt;/b&gt;</strong>, Op 31 March 2026 betaal je €29.99 per month. Opzeggen: ${sampleLinks.cancel}</p>`);
  });
});

describe('validateNoticeOverrides', () => {
  it('accepts overrides that use only known placeholders and keep what the card networks require', () => {
    const overrides: NoticeOverrides = {
      'trial-reminder': { nl: { subject: 'Herinnering van {{shop_name}}', text: KEEPS_TERMS, html: `<p>${KEEPS_TERMS}</p>`, sms: '{{amount}} op {{first_charge_date}}: {{cancel_url}}' } },
      'admin-alert-dead-webhook': { en: { subject: 'Dead: {{type}} ({{provider_event_id}})' } },
    };
    expect(validateNoticeOverrides(overrides)).toEqual([]);
  });

  it('reports each unknown placeholder with where it is', () => {
    const problems = validateNoticeOverrides({ 'receipt': { en: { subject: 'Receipt {{amout}} for {{ plan }}' } } });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^notices\.templates\.receipt\.en\.subject: unknown placeholder \{\{amout\}\} \(known: .*\{\{paid_amount\}\}/);
    expect(problems[1]).toMatch(/^notices\.templates\.receipt\.en\.subject: unknown placeholder \{\{plan\}\}/);
  });

  it('reports SMS text for a notice that is not sent by SMS', () => {
    expect(validateNoticeOverrides({ 'trial-ending': { nl: { sms: '{{shop_name}}' } } })).toEqual(['notices.templates.trial-ending.nl.sms: trial-ending is not sent by SMS']);
  });

  it('reports a text that drops the cancel link, or the terms of the trial reminder', () => {
    const problems = validateNoticeOverrides({ 'trial-reminder': { en: { text: 'See you soon at {{shop_name}}' } }, 'payment-failed': { nl: { html: '<p>{{amount_due}} {{cancel_url}}</p>' } } });
    expect(problems).toEqual([
      expect.stringMatching(/^notices\.templates\.trial-reminder\.en\.text: must contain \{\{amount\}\}/),
      expect.stringMatching(/trial-reminder\.en\.text: must contain \{\{frequency\}\}/),
      expect.stringMatching(/trial-reminder\.en\.text: must contain \{\{first_charge_date\}\}/),
      expect.stringMatching(/trial-reminder\.en\.text: must contain \{\{cancel_url\}\}/),
      expect.stringMatching(/^notices\.templates\.payment-failed\.nl\.html: must contain \{\{payment_method_url\}\}/),
    ]);
  });
});

describe('placeholdersOf', () => {
  it('documents a set for every template, and every placeholder has a value when rendered', () => {
    for (const template of NOTICE_TEMPLATES) {
      const names = placeholdersOf(template);
      expect(names).toContain('shop_name');
      const text = names.map((name) => `[${name}={{${name}}}]`).join('');
      const overrides: NoticeOverrides = { [template]: { en: { subject: text } } };
      const subject = renderEmail(sampleRequest(template, 'en', { overrides })).subject;
      expect(subject).toContain('[shop_name=Koffieclub]');
      expect(subject).not.toContain('{{');
    }
    expect(placeholdersOf('trial-reminder')).toEqual(expect.arrayContaining(['customer_name', 'plan_name', 'amount', 'first_charge_date', 'cancel_url']));
  });
});
