import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';
import { getPlanName } from '../../src/domain/plan.ts';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'recur-config-'));

function configError(env: NodeJS.ProcessEnv, cwd = emptyDir()): string {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

function withCatalogue(json: unknown): string {
  const dir = emptyDir();
  writeFileSync(join(dir, 'recur.config.json'), typeof json === 'string' ? json : JSON.stringify(json));
  return dir;
}

const plan = { id: 'monthly', name: 'Monthly', interval: 'month', amountMinor: 2999, currency: 'EUR', trialDays: 30 };

describe('loadConfig', () => {
  it('starts with the documented defaults and the webshop catalogue', () => {
    const config = loadConfig({}, emptyDir());
    expect(config).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', RECUR_DATA_DIR: './.recur', LOG_LEVEL: 'info', PAST_DUE_GRACE_DAYS: 7, JOB_POLL_INTERVAL_SECONDS: 1 });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.catalogue.plans.map((p) => [p.id, p.interval, p.amountMinor, p.currency, p.trialDays])).toEqual([
      ['monthly', 'month', 2999, 'EUR', 30],
      ['yearly', 'year', 29990, 'EUR', 30],
    ]);
  });

  it('reads settings from the environment, treating blank values as unset', () => {
    const config = loadConfig({ PORT: '8080', HOST: '0.0.0.0', DATABASE_URL: 'postgres://recur@db:5432/recur', LOG_LEVEL: '', JOB_POLL_INTERVAL_SECONDS: '0.5' }, emptyDir());
    expect(config).toMatchObject({ PORT: 8080, HOST: '0.0.0.0', DATABASE_URL: 'postgres://recur@db:5432/recur', LOG_LEVEL: 'info', JOB_POLL_INTERVAL_SECONDS: 0.5 });
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT: expected a whole number from 0 to 65535 \(got "abc"\)$/],
    [{ PORT: '70000' }, /^PORT: .*65535/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: .*"loud"/],
    [{ DEFAULT_LOCALE: 'de' }, /^DEFAULT_LOCALE: /],
    [{ PAST_DUE_GRACE_DAYS: '-1' }, /^PAST_DUE_GRACE_DAYS: /],
    [{ JOB_POLL_INTERVAL_SECONDS: '0.1' }, /^JOB_POLL_INTERVAL_SECONDS: .*0\.5/],
  ])('names the setting that is wrong: %o', (env, message) => {
    const text = configError(env);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('never echoes a database URL, which may carry a password', () => {
    const text = configError({ DATABASE_URL: 'mysql://admin:hunter2@db/recur' });
    expect(text).toMatch(/^DATABASE_URL: expected a URL like postgres:/);
    expect(text).not.toContain('hunter2');
  });

  it('never echoes a secret: a short link-signing secret, a malformed Stripe key', () => {
    const text = configError({ LINK_SIGNING_SECRET: 'tooShortButSecret', STRIPE_SECRET_KEY: 'sk_nope_hunter2' });
    expect(text).toMatch(/^STRIPE_SECRET_KEY: .*\(got "<hidden>"\); LINK_SIGNING_SECRET: expected at least 32 characters .*\(got "<hidden>"\)$/);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('tooShortButSecret');
  });

  it.each([
    [{ TRIAL_REMINDER_DAYS: '6' }, /^TRIAL_REMINDER_DAYS: expected a whole number from 7 to 60/],
    [{ DUNNING_SCHEDULE_DAYS: '7,3' }, /^DUNNING_SCHEDULE_DAYS: expected ascending days/],
    [{ SMS_QUIET_HOURS: '9pm-8am' }, /^SMS_QUIET_HOURS: expected HH:MM-HH:MM/],
    [{ DEFAULT_TIME_ZONE: 'Europe/Amsterdm' }, /^DEFAULT_TIME_ZONE: expected an IANA time zone/],
    [{ TWILIO_ACCOUNT_SID: 'AC123' }, /^TWILIO_ACCOUNT_SID: expected an account SID/],
    [{ SENDGRID_FROM: 'not an address' }, /^SENDGRID_FROM: expected an address/],
  ])('names a wrong notification setting: %o', (env, message) => {
    expect(configError(env)).toMatch(message);
  });

  it('refuses half a provider: SendGrid without a sender, Twilio without all three settings', () => {
    expect(configError({ SENDGRID_API_KEY: 'SG.key' })).toMatch(/^SENDGRID_FROM: required with SENDGRID_API_KEY/);
    expect(configError({ TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'token' })).toMatch(/^TWILIO_FROM: required with the other Twilio settings/);
    expect(loadConfig({ SENDGRID_API_KEY: 'SG.key', SENDGRID_FROM: 'Sportwinkel <service@sportwinkel.test>', SHOP_NAME: 'Sportwinkel', DUNNING_SCHEDULE_DAYS: '2, 5' }, emptyDir())).toMatchObject({ SENDGRID_FROM: 'Sportwinkel <service@sportwinkel.test>', DUNNING_SCHEDULE_DAYS: [2, 5] });
  });

  it('refuses real SendGrid or Twilio without a shop name: customers would get notices signed "recur"', () => {
    const sendgrid = { SENDGRID_API_KEY: 'SG.key', SENDGRID_FROM: 'service@sportwinkel.test' };
    const twilio = { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM: '+3197010000000' };
    for (const env of [sendgrid, twilio]) expect(configError(env)).toMatch(/^SHOP_NAME: required when SendGrid or Twilio send to real customers, who would otherwise get notices signed "recur"/);
    // An emulator on loopback (the sandbox) reaches no customer: the name may wait.
    expect(loadConfig({ ...sendgrid, ...twilio, SENDGRID_API_BASE: 'http://127.0.0.1:12111/sendgrid', TWILIO_API_BASE: 'http://localhost:12111/twilio' }, emptyDir()).SHOP_NAME).toBeUndefined();
    expect(loadConfig({ ...sendgrid, SHOP_NAME: 'Sportwinkel' }, emptyDir()).SHOP_NAME).toBe('Sportwinkel');
    expect(loadConfig(sendgrid, withCatalogue({ plans: [plan], notices: { shop_name: 'Koffieclub' } })).catalogue.notices.shop_name).toBe('Koffieclub');
  });

  it('reports several problems on one line', () => {
    expect(configError({ PORT: 'x', LOG_LEVEL: 'y' })).toMatch(/^PORT: .*; LOG_LEVEL: /);
  });

  it('reads the plan catalogue from recur.config.json in the working directory', () => {
    const config = loadConfig({}, withCatalogue({ plans: [{ ...plan, id: 'basic', amountMinor: 999, providerPriceIds: { stripe: 'price_123' } }] }));
    expect(config.catalogue.plans).toEqual([{ ...plan, id: 'basic', amountMinor: 999, providerPriceIds: { stripe: 'price_123' }, paymentMethods: ['card'] }]);
    expect(config.catalogue.trial_once_per_customer).toBe(true);
    expect(loadConfig({}, withCatalogue({ plans: [plan], trial_once_per_customer: false })).catalogue.trial_once_per_customer).toBe(false);
  });

  it('reads the payment methods a plan offers, card when it names none', () => {
    const config = loadConfig({}, withCatalogue({ plans: [{ ...plan, paymentMethods: ['ideal', 'bancontact', 'sepa_debit', 'card'] }, { ...plan, id: 'yearly' }] }));
    expect(config.catalogue.plans.map((entry) => entry.paymentMethods)).toEqual([['ideal', 'bancontact', 'sepa_debit', 'card'], ['card']]);
  });

  it('reads the SEPA creditor identifier, checking its check digits, and the entitlement rule while a debit processes', () => {
    const config = loadConfig({ SEPA_CREDITOR_ID: ' nl69zzz123456780000 ', ENTITLEMENT_WHILE_PROCESSING: 'deny' }, emptyDir());
    expect(config.SEPA_CREDITOR_ID).toBe('NL69ZZZ123456780000');
    expect(config.ENTITLEMENT_WHILE_PROCESSING).toBe('deny');
    expect(loadConfig({}, emptyDir()).ENTITLEMENT_WHILE_PROCESSING).toBe('grant');
    expect(loadConfig({ SEPA_CREDITOR_ID: 'DE98ZZZ09999999999' }, emptyDir()).SEPA_CREDITOR_ID).toBe('DE98ZZZ09999999999');
    expect(configError({ SEPA_CREDITOR_ID: 'NL70ZZZ123456780000' })).toMatch(/SEPA_CREDITOR_ID: expected a SEPA creditor identifier/);
    expect(configError({ ENTITLEMENT_WHILE_PROCESSING: 'yes' })).toMatch(/ENTITLEMENT_WHILE_PROCESSING/);
  });

  it('reads a plan named per locale, and an old-style plan with one name for every locale', () => {
    const config = loadConfig({}, withCatalogue({ plans: [{ ...plan, names: { nl: 'Maandelijks' } }, { ...plan, id: 'old-style', name: 'Basic' }] }));
    const [named, oldStyle] = config.catalogue.plans;
    expect([getPlanName(named!, 'nl'), getPlanName(named!, 'en')]).toEqual(['Maandelijks', 'Monthly']);
    expect([getPlanName(oldStyle!, 'nl'), getPlanName(oldStyle!, 'en')]).toEqual(['Basic', 'Basic']);
    expect(configError({}, withCatalogue({ plans: [{ ...plan, names: { de: 'Monatlich' } }] }))).toMatch(/plans\[0\]\.names: .*de/);
  });

  it.each([
    ['a float amount', { plans: [{ ...plan, amountMinor: 29.99 }] }, /plans\[0\]\.amountMinor: expected integer minor units/],
    ['duplicate plan ids', { plans: [plan, { ...plan }] }, /plans\[1\]\.id: duplicate plan id "monthly"/],
    ['an unknown field', { plans: [{ ...plan, price: 29.99 }] }, /plans\[0\]: .*price/],
    ['a lower-case currency', { plans: [{ ...plan, currency: 'eur' }] }, /plans\[0\]\.currency: expected an ISO 4217 code/],
    ['an unknown interval', { plans: [{ ...plan, interval: 'week' }] }, /plans\[0\]\.interval/],
    ['no plans', { plans: [] }, /plans: expected at least one plan/],
    ['a trial rule that is not true or false', { plans: [plan], trial_once_per_customer: 'yes' }, /trial_once_per_customer: .*boolean/],
    ['broken JSON', '{"plans": [', /not valid JSON/],
    ['an unknown payment method', { plans: [{ ...plan, paymentMethods: ['card', 'giropay'] }] }, /plans\[0\]\.paymentMethods\[1\]/],
    ['a payment method twice', { plans: [{ ...plan, paymentMethods: ['ideal', 'ideal'] }] }, /plans\[0\]\.paymentMethods: expected each payment method once/],
    ['no payment method', { plans: [{ ...plan, paymentMethods: [] }] }, /plans\[0\]\.paymentMethods: expected at least one payment method/],
    ['iDEAL on a plan in dollars', { plans: [{ ...plan, currency: 'USD', paymentMethods: ['card', 'ideal'] }] }, /plans\[0\]\.paymentMethods: ideal take euros only; plan "monthly" is in USD/],
  ])('refuses a catalogue with %s, naming the file and the field', (_name, json, message) => {
    const dir = withCatalogue(json);
    const text = configError({}, dir);
    expect(text).toContain(join(dir, 'recur.config.json'));
    expect(text).toMatch(message);
  });

  it("reads how the pages look, and refuses a colour or a logo that is not one, naming the field", () => {
    const config = loadConfig({}, withCatalogue({ plans: [plan], pages: { brand_colour: '#0B5D1E', logo_url: 'https://cdn.sportwinkel.test/logo.svg', shop_url: 'https://sportwinkel.test/' } }));
    expect(config.catalogue.pages).toEqual({ brand_colour: '#0B5D1E', logo_url: 'https://cdn.sportwinkel.test/logo.svg', shop_url: 'https://sportwinkel.test/' });
    expect(loadConfig({}, withCatalogue({ plans: [plan] })).catalogue.pages).toEqual({ brand_colour: '#1f4e79' });
    expect(configError({}, withCatalogue({ plans: [plan], pages: { brand_colour: 'green' } }))).toMatch(/pages\.brand_colour: expected a colour as #rrggbb/);
    expect(configError({}, withCatalogue({ plans: [plan], pages: { logo_url: 'javascript:alert(1)' } }))).toMatch(/pages\.logo_url/);
  });

  it('takes the replaced link-signing key only beside a new one, and never shows either', () => {
    const key = 'a-new-link-signing-key-of-32-characters!';
    const old = 'the-old-link-signing-key-of-32-characters';
    expect(loadConfig({ LINK_SIGNING_SECRET: key, LINK_SIGNING_SECRET_PREVIOUS: old }, emptyDir()).LINK_SIGNING_SECRET_PREVIOUS).toBe(old);
    const alone = configError({ LINK_SIGNING_SECRET_PREVIOUS: old });
    expect(alone).toMatch(/^LINK_SIGNING_SECRET_PREVIOUS: only beside LINK_SIGNING_SECRET/);
    const same = configError({ LINK_SIGNING_SECRET: key, LINK_SIGNING_SECRET_PREVIOUS: key });
    expect(same).toMatch(/not the same as LINK_SIGNING_SECRET/);
    const short = configError({ LINK_SIGNING_SECRET: key, LINK_SIGNING_SECRET_PREVIOUS: 'short' });
    for (const message of [alone, same, short]) {
      expect(message).not.toContain(old);
      expect(message).not.toContain(key);
    }
    expect(short).not.toContain('short');
  });

  it('refuses a configured catalogue file that does not exist', () => {
    expect(configError({ RECUR_CONFIG_FILE: 'plans.json' })).toMatch(/^RECUR_CONFIG_FILE: file not found: .*plans\.json$/);
  });
});
