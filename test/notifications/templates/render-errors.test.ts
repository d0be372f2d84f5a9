import { describe, expect, it } from 'vitest';
import type { NoticeTemplate } from '../../../src/notifications/notice-catalogue.ts';
import { NoticeRenderError, renderEmail, renderSms } from '../../../src/notifications/render-notice.ts';
import { sampleRequest, samplePayloadWith } from './render-request.ts';

describe('a payload that does not fit its template', () => {
  it.each<[string, NoticeTemplate, unknown, RegExp]>([
    ['an amount in euros instead of cents', 'trial-reminder', samplePayloadWith('trial-reminder', { amount_minor: 29.99 }), /amount_minor/],
    ['a lower-case currency', 'receipt', samplePayloadWith('receipt', { currency: 'eur' }), /currency/],
    ['a date that is not an ISO instant', 'enrolment-confirmation', samplePayloadWith('enrolment-confirmation', { trial_end: '30-03-2026' }), /trial_end/],
    ['an unknown interval', 'renewal-reminder', samplePayloadWith('renewal-reminder', { interval: 'week' }), /interval/],
    ['a receipt without its payment', 'receipt', samplePayloadWith('receipt', { payment: undefined }), /payment/],
    ['a follow-up without its step', 'dunning-reminder', samplePayloadWith('dunning-reminder', { step: undefined }), /step/],
    ['no payload at all', 'cancellation-confirmation', null, /payload/],
    ['an alert that is not a record', 'admin-alert-dead-webhook', ['evt_1'], /payload/],
    ['an alert field of the wrong type', 'admin-alert-dead-webhook', samplePayloadWith('admin-alert-dead-webhook', { attempts: 'eight' }), /attempts/],
    ['a report month that is not YYYY-MM', 'admin-monthly-report', samplePayloadWith('admin-monthly-report', { month: 'March' }), /month/],
  ])('throws NoticeRenderError for %s', (_name, template, payload, names) => {
    const request = sampleRequest(template, 'nl', { payload });
    expect(() => renderEmail(request)).toThrow(NoticeRenderError);
    expect(() => renderEmail(request)).toThrow(names);
  });

  it('throws for the SMS too', () => {
    expect(() => renderSms(sampleRequest('trial-reminder', 'en', { payload: samplePayloadWith('trial-reminder', { amount_minor: -1 }) }))).toThrow(NoticeRenderError);
  });
});

describe('what a request must carry', () => {
  it('a customer notice needs its links', () => {
    expect(() => renderEmail({ ...sampleRequest('receipt', 'en'), links: null })).toThrow(new NoticeRenderError('receipt: a customer notice needs its links (cancel, payment_method); got none'));
  });

  it('links are web addresses', () => {
    expect(() => renderEmail({ ...sampleRequest('receipt', 'en'), links: { cancel: 'javascript:alert(1)', payment_method: 'https://shop.example/p' } })).toThrow(NoticeRenderError);
  });

  it('an unknown template is refused, naming the known ones', () => {
    expect(() => renderEmail({ ...sampleRequest('receipt', 'en'), template: 'welcome' as NoticeTemplate })).toThrow(/unknown template "welcome" \(templates: enrolment-confirmation, /);
  });

  it('an override with a placeholder that slipped past validation fails the render instead of sending braces', () => {
    const request = sampleRequest('receipt', 'en', { overrides: { receipt: { en: { subject: 'Receipt {{nope}}' } } } });
    expect(() => renderEmail(request)).toThrow(new NoticeRenderError('receipt (en) override: unknown placeholder {{nope}}'));
  });
});
