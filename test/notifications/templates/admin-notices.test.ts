import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../../src/notifications/render-notice.ts';
import { sampleRequest, samplePayloadWith } from './render-request.ts';

describe('admin alerts', () => {
  it('write the known fields with labels in the locale and list unknown ones as key: value', () => {
    const payload = samplePayloadWith('admin-alert-dead-webhook', { worker: 'w-2', context: { region: 'eu' } });
    const nl = renderEmail(sampleRequest('admin-alert-dead-webhook', 'nl', { payload }));
    expect(nl.subject).toBe('[Koffieclub] Webhook-event invoice.paid van stripe opgegeven na 8 pogingen');
    expect(nl.text).toMatch(/^Soort event: +invoice\.paid$/m);
    expect(nl.text).toMatch(/^Overige gegevens:\n\nworker: +w-2\ncontext: +\{"region":"eu"\}$/m);
    expect(nl.text).toContain('recur events replay evt_sample_1');
    const en = renderEmail(sampleRequest('admin-alert-dead-webhook', 'en', { payload }));
    expect(en.text).toMatch(/^Event type: +invoice\.paid$/m);
    expect(en.text).toMatch(/^Other details:\n\nworker: +w-2/m);
  });

  it('render the payloads the reconciliation and job-failure alerts will write', () => {
    const reconciliation = renderEmail(sampleRequest('admin-alert-reconciliation', 'en', { payload: { run_id: 'run_9', provider: 'stripe', findings: 3, kinds: { stale_status: 2, email_mismatch: 1 } } }));
    expect(reconciliation.subject).toBe('[Koffieclub] Reconciliation with stripe: 3 findings');
    expect(reconciliation.text).toMatch(/^Kinds: +stale_status: 2\n +email_mismatch: 1$/m);
    expect(reconciliation.text).toContain('GET /v1/reconciliation/runs/run_9');
    const job = renderEmail(sampleRequest('admin-alert-job-failure', 'nl', { payload: { job: 'deliver-notices', job_id: 'j1', attempts: 3, error: 'timeout' } }));
    expect(job.subject).toBe('[Koffieclub] Job deliver-notices mislukt na 3 pogingen');
    expect(job.text).toMatch(/^Fout: +timeout$/m);
  });

  it('write a dispute amount in the locale and its evidence date in the time zone', () => {
    const payload = samplePayloadWith('admin-alert-dispute', { amount_minor: 123_456, evidence_due_by: '2026-04-14T22:30:00Z' });
    const nl = renderEmail(sampleRequest('admin-alert-dispute', 'nl', { payload })).text;
    expect(nl).toMatch(/^Bedrag: +€\u00a01\.234,56$/m);
    expect(nl).toMatch(/^Bewijs indienen vóór: +15 april 2026$/m);
    expect(nl).not.toMatch(/^Valuta:/m);
  });

  it('leave out a known field that is null', () => {
    const text = renderEmail(sampleRequest('admin-alert-dispute', 'en', { payload: samplePayloadWith('admin-alert-dispute', { subscription_id: null, evidence_due_by: null }) })).text;
    expect(text).not.toMatch(/^Subscription:/m);
    expect(text).not.toMatch(/^Evidence due by:/m);
    expect(text).not.toContain('has been cancelled');
  });
});

describe('the monthly report', () => {
  it('is an aligned table in text: labels left, figures right', () => {
    const text = renderEmail(sampleRequest('admin-monthly-report', 'nl')).text;
    const table = text.split('\n\n')[1]!.split('\n');
    expect(table[0]).toMatch(/^ +Aantal \/ bedrag$/);
    expect(table[1]).toMatch(/^-+ {2}-+$/);
    const rows = table.slice(2);
    expect(rows.map((row) => row.split(/ {2,}/)[0])).toEqual(['Actief', 'Proefperiode', 'Betaling achterstallig', 'Nieuw', 'Opgezegd', 'Omzet', 'MRR (maandelijks terugkerend)']);
    expect(new Set(rows.map((row) => row.length)).size).toBe(1);
    expect(rows[0]).toMatch(/ 1\.284$/);
    expect(rows[5]).toMatch(/ €\u00a036\.542,21$/);
  });

  it('is a table in HTML, with a header and one row per figure, per currency', () => {
    const payload = samplePayloadWith('admin-monthly-report', { revenue: [{ currency: 'EUR', amount_minor: 100 }, { currency: 'USD', amount_minor: 250 }], mrr: [] });
    const html = renderEmail(sampleRequest('admin-monthly-report', 'en', { payload })).html;
    expect(html).toMatch(/<table[^>]*><thead><tr><th[^>]*><\/th><th[^>]*>Count \/ amount<\/th><\/tr><\/thead><tbody>/);
    expect(html.match(/<tr>/g)).toHaveLength(8);
    expect(html).toContain('>€1.00 + US$2.50</td>');
    expect(html).toMatch(/>MRR \(monthly recurring\)<\/td><td[^>]*>-<\/td>/);
  });
});
