import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { countRows, startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

describe.each(testDatabaseKinds)('customer notice preferences: time zone and SMS consent (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  const create = (body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/v1/customers', headers: { authorization: t.auth }, payload: body });
  const patch = (id: string, body: Record<string, unknown>) => t.app.inject({ method: 'PATCH', url: `/v1/customers/${id}`, headers: { authorization: t.auth }, payload: body });
  const read = async (id: string) => (await t.app.inject({ method: 'GET', url: `/v1/customers/${id}`, headers: { authorization: t.auth } })).json();
  const stored = async (id: string) =>
    (await t.ctx.db.query<{ time_zone: string | null; sms_consent_at: Date | null; sms_consent_withdrawn_at: Date | null }>('SELECT time_zone, sms_consent_at, sms_consent_withdrawn_at FROM customers WHERE external_id = $1', [id])).rows[0];

  it('creates a customer with a time zone and SMS consent given now', async () => {
    const created = await create({ external_id: 'pref-1', email: 'anna@example.nl', phone: '+31612345678', time_zone: 'Europe/Amsterdam', sms_consent: true });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ time_zone: 'Europe/Amsterdam', sms_consent: true, sms_consent_at: t.clock.now().toISOString() });
    expect(await stored('pref-1')).toEqual({ time_zone: 'Europe/Amsterdam', sms_consent_at: t.clock.now(), sms_consent_withdrawn_at: null });
    expect(await read('pref-1')).toEqual(created.json());
  });

  it('leaves both out by default: no zone of its own, no consent', async () => {
    const created = await create({ external_id: 'pref-2', email: 'bram@example.nl' });
    expect(created.json()).toMatchObject({ time_zone: null, sms_consent: false, sms_consent_at: null });
  });

  it('records a no at sign-up as a withdrawal, without consent', async () => {
    const created = await create({ external_id: 'pref-3', email: 'cas@example.nl', sms_consent: false });
    expect(created.json()).toMatchObject({ sms_consent: false, sms_consent_at: null });
    expect(await stored('pref-3')).toMatchObject({ sms_consent_at: null, sms_consent_withdrawn_at: t.clock.now() });
  });

  it('stores a zone in its canonical spelling, changes it and clears it with null', async () => {
    expect((await patch('pref-2', { time_zone: 'europe/berlin' })).json()).toMatchObject({ time_zone: 'Europe/Berlin' });
    expect((await patch('pref-2', { time_zone: 'America/New_York' })).json()).toMatchObject({ time_zone: 'America/New_York' });
    const cleared = await patch('pref-2', { time_zone: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toMatchObject({ time_zone: null });
    expect((await stored('pref-2'))!.time_zone).toBeNull();
  });

  it('withdraws consent, and counts consent given again after the withdrawal; each change audited', async () => {
    const consentAt = t.clock.now();
    t.clock.advance(60_000);
    const withdrawn = await patch('pref-1', { sms_consent: false });
    expect(withdrawn.json()).toMatchObject({ sms_consent: false, sms_consent_at: consentAt.toISOString() });
    const withdrawnAt = t.clock.now();
    expect(await stored('pref-1')).toMatchObject({ sms_consent_at: consentAt, sms_consent_withdrawn_at: withdrawnAt });

    t.clock.advance(60_000);
    const again = await patch('pref-1', { sms_consent: true });
    expect(again.json()).toMatchObject({ sms_consent: true, sms_consent_at: t.clock.now().toISOString() });
    expect(await stored('pref-1')).toMatchObject({ sms_consent_at: t.clock.now(), sms_consent_withdrawn_at: withdrawnAt });

    const audit = await listAuditEntries(t.ctx.db, 'customer', again.json().id);
    expect(audit.map((entry) => entry.action)).toEqual(['create', 'update', 'update']);
    expect(audit[1]).toMatchObject({ actor: expect.stringMatching(/^api_key:/), before: { smsConsentWithdrawnAt: null }, after: { smsConsentWithdrawnAt: withdrawnAt.toISOString() } });
    expect(audit[2]).toMatchObject({ before: { smsConsentAt: consentAt.toISOString() }, after: { smsConsentAt: t.clock.now().toISOString() } });
  });

  it('keeps the moment of the first consent when consent is given again while it still counts', async () => {
    const consentAt = (await read('pref-1')).sms_consent_at;
    t.clock.advance(60_000);
    const repeated = await patch('pref-1', { sms_consent: true });
    expect(repeated.json()).toMatchObject({ sms_consent: true, sms_consent_at: consentAt });
  });

  it('withdraws consent when the phone is removed, and a new phone does not bring it back', async () => {
    await create({ external_id: 'pref-4', email: 'dirk@example.nl', phone: '+31612345679', sms_consent: true });
    const consentAt = t.clock.now();
    t.clock.advance(60_000);
    const removed = await patch('pref-4', { phone: null });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toMatchObject({ phone: null, sms_consent: false });
    expect(await stored('pref-4')).toMatchObject({ sms_consent_at: consentAt, sms_consent_withdrawn_at: t.clock.now() });
    const audit = await listAuditEntries(t.ctx.db, 'customer', removed.json().id);
    expect(audit.at(-1)).toMatchObject({ action: 'update', before: { phone: '+31612345679', smsConsentWithdrawnAt: null }, after: { phone: null, smsConsentWithdrawnAt: t.clock.now().toISOString() } });

    t.clock.advance(60_000);
    expect((await patch('pref-4', { phone: '+31612345670' })).json()).toMatchObject({ phone: '+31612345670', sms_consent: false });
  });

  describe('bad preferences get a clear error and change nothing', () => {
    it.each([
      ['an unknown time zone', () => create({ external_id: 'pref-9', email: 'x@example.nl', time_zone: 'Mars/Olympus_Mons' }), /IANA time zone/],
      ['an offset instead of a zone', () => patch('pref-1', { time_zone: 'CEST+2' }), /IANA time zone/],
      ['an empty time zone', () => patch('pref-1', { time_zone: '' }), /time_zone/],
      ['consent as a string', () => patch('pref-1', { sms_consent: 'yes' }), /sms_consent/],
      ['consent as null', () => patch('pref-1', { sms_consent: null }), /sms_consent/],
      ['consent at sign-up without a phone', () => create({ external_id: 'pref-9', email: 'x@example.nl', sms_consent: true }), /^sms_consent: true needs a phone number \(phone/],
      ['consent for a customer without a phone', () => patch('pref-2', { sms_consent: true }), /^sms_consent: true needs a phone number \(phone/],
      ['consent while removing the phone', () => patch('pref-1', { phone: null, sms_consent: true }), /^sms_consent: true needs a phone number \(phone/],
    ])('%s', async (_name, send, message) => {
      const before = await countRows(t);
      const customer = await stored('pref-1');
      const response = await send();
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(message) });
      expect(await countRows(t)).toEqual(before);
      expect(await stored('pref-1')).toEqual(customer);
    });

    it('refuses a change without an API key', async () => {
      const before = await stored('pref-1');
      const response = await t.app.inject({ method: 'PATCH', url: '/v1/customers/pref-1', payload: { sms_consent: false } });
      expect(response.statusCode).toBe(401);
      expect(await stored('pref-1')).toEqual(before);
    });

    it('answers 404 for an unknown customer', async () => {
      const response = await patch('nobody', { time_zone: 'Europe/Amsterdam' });
      expect(response.statusCode).toBe(404);
    });
  });
});
