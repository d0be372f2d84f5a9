import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../../src/notifications/render-notice.ts';
import { sampleRequest, samplePayloadWith } from './render-request.ts';

// What Node's Intl prints for Dutch euros: the sign, a no-break space, a decimal comma.
const DUTCH_2999 = new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' }).format(29.99);

describe('amounts per locale', () => {
  it('writes € 29,99 in Dutch, with the no-break space Intl puts after the sign', () => {
    expect(DUTCH_2999).toBe('€\u00a029,99');
    const email = renderEmail(sampleRequest('trial-reminder', 'nl'));
    expect(email.text).toContain('€\u00a029,99 per maand');
    expect(email.subject).toContain('€\u00a029,99');
  });

  it('writes €29.99 in English', () => {
    expect(renderEmail(sampleRequest('trial-reminder', 'en')).text).toContain('€29.99 per month');
  });

  it('takes the minor units of the currency from Intl: 500 yen are ¥500', () => {
    const payload = samplePayloadWith('trial-reminder', { amount_minor: 500, currency: 'JPY' });
    expect(renderEmail(sampleRequest('trial-reminder', 'en', { payload })).text).toMatch(/¥500 per month/);
  });

  it('groups thousands per locale: € 299,90 per jaar and €1,234.56', () => {
    expect(renderEmail(sampleRequest('renewal-reminder', 'nl')).text).toContain('€\u00a0299,90 per jaar');
    const payload = samplePayloadWith('trial-reminder', { amount_minor: 123_456, interval: 'year' });
    expect(renderEmail(sampleRequest('trial-reminder', 'en', { payload })).text).toContain('€1,234.56 per year');
  });
});

describe('dates in the reader’s time zone', () => {
  const lateOnMarch30 = samplePayloadWith('trial-reminder', { trial_end: '2026-03-30T23:30:00Z', next_charge_at: '2026-03-30T23:30:00Z' });

  it('writes an instant at 2026-03-30T23:30Z as 31 maart 2026 in Europe/Amsterdam', () => {
    const email = renderEmail(sampleRequest('trial-reminder', 'nl', { payload: lateOnMarch30 }));
    expect(email.text).toContain('31 maart 2026');
    expect(email.text).not.toContain('30 maart');
  });

  it('writes the same instant as 31 March 2026 in Europe/London (summer time) and 30 March 2026 in Atlantic/Azores', () => {
    expect(renderEmail(sampleRequest('trial-reminder', 'en', { payload: lateOnMarch30, timeZone: 'Europe/London' })).text).toContain('on 31 March 2026');
    expect(renderEmail(sampleRequest('trial-reminder', 'en', { payload: lateOnMarch30, timeZone: 'Atlantic/Azores' })).text).toContain('on 30 March 2026');
  });

  it('writes the report month in words, nl and en', () => {
    expect(renderEmail(sampleRequest('admin-monthly-report', 'nl')).subject).toContain('maart 2026');
    expect(renderEmail(sampleRequest('admin-monthly-report', 'en')).subject).toContain('March 2026');
  });
});
