import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NOTICE_TEMPLATES } from '../../src/notifications/notice-catalogue.ts';
import { killSpawnedProcesses, runRecur, type RecurRun } from '../fixtures/recur-process.ts';

// sysexits: a usage error; data that does not render.
const EX_USAGE = 64;

let root: string;
let dirCount = 0;
/** A working directory with a recur.config.json only when the test writes one. */
const freshDir = (catalogue?: unknown) => {
  const dir = mkdtempSync(join(root, `cwd-${++dirCount}-`));
  if (catalogue) writeFileSync(join(dir, 'recur.config.json'), JSON.stringify(catalogue));
  return dir;
};
const plans = [{ id: 'monthly', name: 'Monthly', interval: 'month', amountMinor: 2999, currency: 'EUR', trialDays: 30 }];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'recur-notices-'));
});
afterEach(() => killSpawnedProcesses());
afterAll(() => rmSync(root, { recursive: true, force: true }));

function expectSuccess(run: RecurRun): string {
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toBe('');
  return run.stdout;
}

describe('recur notices preview', () => {
  it('renders the trial reminder in Dutch with sample data: subject, then the text', async () => {
    const cwd = freshDir();
    const out = expectSuccess(await runRecur(['notices', 'preview', 'trial-reminder', '--locale', 'nl'], { cwd }));
    expect(out).toMatch(/^Subject: Herinnering: op 31 maart 2026 betaal je €\u00a029,99 voor Monthly\n\nHallo Jan de Vries,\n/);
    expect(out).toContain('€\u00a029,99 per maand');
    expect(out).toContain('Online opzeggen: https://');
    // A preview opens no database.
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('renders in English, and each part alone with --format', async () => {
    const cwd = freshDir();
    const subject = expectSuccess(await runRecur(['notices', 'preview', 'enrolment-confirmation', '--locale', 'en', '--format', 'subject'], { cwd }));
    expect(subject).toBe('Confirmation of your Monthly subscription with recur\n');
    const text = expectSuccess(await runRecur(['notices', 'preview', 'enrolment-confirmation', '--locale', 'en', '--format', 'text'], { cwd }));
    expect(text).toMatch(/^Hello Jan de Vries,\n/);
    expect(text).toMatch(/^First payment: +€29\.99 on 31 March 2026$/m);
    const html = expectSuccess(await runRecur(['notices', 'preview', 'enrolment-confirmation', '--locale', 'en', '--format', 'html'], { cwd }));
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
  });

  it('uses DEFAULT_LOCALE and DEFAULT_TIME_ZONE when no --locale is given', async () => {
    const run = await runRecur(['notices', 'preview', 'trial-reminder', '--format', 'subject'], { cwd: freshDir(), env: { DEFAULT_LOCALE: 'nl', DEFAULT_TIME_ZONE: 'Atlantic/Azores' } });
    // The sample trial ends at 2026-03-30T23:30Z: still 30 March on the Azores.
    expect(expectSuccess(run)).toBe('Herinnering: op 30 maart 2026 betaal je €\u00a029,99 voor Monthly\n');
  });

  it('renders the SMS of an SMS notice', async () => {
    const out = expectSuccess(await runRecur(['notices', 'preview', 'trial-reminder', '--locale', 'nl', '--channel', 'sms'], { cwd: freshDir() }));
    expect(out).toMatch(/^recur: je proefperiode eindigt\. Op 31 maart 2026 betaal je € 29,99 per maand\. Opzeggen: https:\/\/\S+\n$/);
  });

  it("shows the shop's name and its own wording from recur.config.json", async () => {
    const cwd = freshDir({ plans, notices: { shop_name: 'Koffieclub', templates: { 'trial-ending': { nl: { subject: '{{shop_name}}: nog even, {{customer_name}}!' } } } } });
    const out = expectSuccess(await runRecur(['notices', 'preview', 'trial-ending', '--locale', 'nl'], { cwd }));
    expect(out).toMatch(/^Subject: Koffieclub: nog even, Jan de Vries!\n/);
    expect(out).toContain('Met vriendelijke groet,\nKoffieclub');
  });

  it('signs the SMS with SHOP_NAME, which wins over recur.config.json', async () => {
    const cwd = freshDir({ plans, notices: { shop_name: 'Koffieclub' } });
    const out = expectSuccess(await runRecur(['notices', 'preview', 'trial-reminder', '--locale', 'nl', '--channel', 'sms'], { cwd, env: { SHOP_NAME: 'Sportwinkel Jansen' } }));
    expect(out).toMatch(/^Sportwinkel Jansen: je proefperiode eindigt\. /);
  });

  it('refuses an unknown template with one line listing the valid names', async () => {
    const run = await runRecur(['notices', 'preview', 'welcome'], { cwd: freshDir() });
    expect(run.code).toBe(EX_USAGE);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`recur: unknown template "welcome"; templates: ${NOTICE_TEMPLATES.join(', ')}`);
  });

  it.each([
    ['an SMS of a notice sent only by e-mail', ['receipt', '--channel', 'sms'], /^recur: receipt is not sent by SMS/],
    ['an unknown locale', ['receipt', '--locale', 'de'], /^recur: --locale must be one of nl, en \(got "de"\)\n$/],
    ['an unknown format', ['receipt', '--format', 'pdf'], /^recur: --format must be one of text, html, subject \(got "pdf"\)\n$/],
  ])('refuses %s with one line', async (_name, args, says) => {
    const run = await runRecur(['notices', 'preview', ...args], { cwd: freshDir() });
    expect(run.code).toBe(EX_USAGE);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(says);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it("names the mistake in the shop's own wording", async () => {
    const cwd = freshDir({ plans, notices: { templates: { receipt: { en: { subject: 'Receipt {{amout}}' } } } } });
    const run = await runRecur(['notices', 'preview', 'receipt', '--locale', 'en'], { cwd });
    // Checked when the configuration is loaded, so `recur start` refuses it the same way.
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/^recur: configuration error: \S*recur\.config\.json: notices\.templates\.receipt\.en\.subject: unknown placeholder \{\{amout\}\} \(known: [^\n]*\)\n$/);
  });
});

describe('recur notices list', () => {
  it('prints every template with its channels and placeholders', async () => {
    const out = expectSuccess(await runRecur(['notices', 'list'], { cwd: freshDir() }));
    const headers = out.split('\n').filter((line) => line !== '' && !line.startsWith(' '));
    expect(headers.map((line) => line.split(' ')[0])).toEqual([...NOTICE_TEMPLATES]);
    expect(out).toMatch(/^trial-reminder {2}\[customer; email, sms\]\n {2}placeholders: \{\{shop_name\}\} .*\{\{first_charge_date\}\}/m);
    expect(out).toMatch(/^admin-monthly-report {2}\[admin; email\]\n {2}placeholders: \{\{shop_name\}\} \{\{month\}\}/m);
  });
});
