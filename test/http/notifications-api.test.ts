import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

type Row = { key: string; customerId: string | null; subscriptionId?: string | null; channel: 'email' | 'sms'; template: string; recipient: string; status: string; minute: number; extra?: Record<string, unknown> };

describe.each(testDatabaseKinds)('GET /v1/notifications and retry (%s)', (kind) => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const start = new Date('2026-03-01T10:00:00Z').getTime();
  const at = (minute: number) => new Date(start + minute * 60_000);

  async function insertRow(row: Row): Promise<void> {
    const extra = row.extra ?? {};
    const inserted = await t.ctx.db.query<{ id: string }>(
      `INSERT INTO notification_outbox (business_key, customer_id, subscription_id, channel, template, recipient, locale, payload, status, attempts, last_error, error_code,
                                        delivery_status, delivery_detail, provider_message_id, due_at, sent_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'nl', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15, $15) RETURNING id`,
      [
        row.key, row.customerId, row.subscriptionId ?? null, row.channel, row.template, row.recipient, JSON.stringify({ secret_payload: 'never shown' }), row.status,
        extra.attempts ?? 0, extra.last_error ?? null, extra.error_code ?? null, extra.delivery_status ?? null, extra.delivery_detail ?? null, extra.provider_message_id ?? null,
        at(row.minute), extra.sent_at ?? null,
      ],
    );
    ids[row.key] = inserted.rows[0]!.id;
  }

  beforeAll(async () => {
    t = await startTestApp(kind);
    const anna = await seedCustomer(t, 'shop-anna', { phone: '+31612345678' });
    const bram = await seedCustomer(t, 'shop-bram');
    const subscription = await seedSubscription(t, anna);
    await insertRow({ key: 'enrolment', customerId: anna, subscriptionId: subscription, channel: 'email', template: 'enrolment-confirmation', recipient: 'jan.devries@example.nl', status: 'delivered', minute: 1, extra: { attempts: 1, provider_message_id: 'sg-1', sent_at: at(1), delivery_status: 'delivered' } });
    await insertRow({ key: 'reminder-sms', customerId: anna, subscriptionId: subscription, channel: 'sms', template: 'trial-reminder', recipient: '+31612345678', status: 'dead', minute: 2, extra: { attempts: 8, last_error: 'Twilio 500 for +31612345678', provider_message_id: 'SM1' } });
    await insertRow({ key: 'reminder-mail', customerId: anna, subscriptionId: subscription, channel: 'email', template: 'trial-reminder', recipient: 'jan.devries@example.nl', status: 'sent', minute: 3, extra: { attempts: 1, provider_message_id: 'sg-2', sent_at: at(3) } });
    await insertRow({ key: 'bram-failed', customerId: bram, channel: 'email', template: 'payment-failed', recipient: 'b@example.com', status: 'failed', minute: 4, extra: { attempts: 1, error_code: 'invalid_address', last_error: 'invalid address b@example.com', delivery_status: 'bounce', delivery_detail: 'mailbox b@example.com unknown' } });
    await insertRow({ key: 'alert:dead-webhook:7:ops@shop.example', customerId: null, channel: 'email', template: 'admin-alert-dead-webhook', recipient: 'ops@shop.example', status: 'pending', minute: 5 });
  });
  afterAll(() => t.close());

  const get = (url: string, auth: string | null = t.auth) => t.app.inject({ method: 'GET', url, headers: auth ? { authorization: auth } : {} });
  const retry = (id: string, auth: string | null = t.auth) => t.app.inject({ method: 'POST', url: `/v1/notifications/${id}/retry`, headers: auth ? { authorization: auth } : {} });
  const keysOf = (body: { data: { id: string }[] }) => body.data.map((item) => Object.entries(ids).find(([, id]) => id === item.id)![0]);

  it('lists every notice newest first, with recipients masked and without the payload', async () => {
    const response = await get('/v1/notifications');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(keysOf(body)).toEqual(['alert:dead-webhook:7:ops@shop.example', 'bram-failed', 'reminder-mail', 'reminder-sms', 'enrolment']);
    expect(body.has_more).toBe(false);
    const enrolment = body.data[4];
    expect(enrolment).toEqual({
      id: ids.enrolment,
      business_key: 'enrolment',
      customer: 'shop-anna',
      subscription_id: expect.any(String),
      channel: 'email',
      template: 'enrolment-confirmation',
      recipient: 'j***@example.nl',
      locale: 'nl',
      status: 'delivered',
      attempts: 1,
      last_error: null,
      error_code: null,
      delivery_status: 'delivered',
      delivery_detail: null,
      provider_message_id: 'sg-1',
      due_at: at(1).toISOString(),
      sent_at: at(1).toISOString(),
      created_at: at(1).toISOString(),
      updated_at: at(1).toISOString(),
    });
    expect(body.data[3]).toMatchObject({ channel: 'sms', recipient: '+316*****78', last_error: 'Twilio 500 for +316*****78' });
    expect(body.data[1]).toMatchObject({ customer: 'shop-bram', recipient: 'b***@example.com', error_code: 'invalid_address', last_error: 'invalid address b***@example.com', delivery_detail: 'mailbox b***@example.com unknown' });
    expect(body.data[0]).toMatchObject({ customer: null, business_key: 'alert:dead-webhook:7:o***@shop.example', recipient: 'o***@shop.example' });
    expect(response.body).not.toContain('secret_payload');
    expect(response.body).not.toContain('jan.devries');
    expect(response.body).not.toContain('12345678');
  });

  it('filters by customer, status, template and channel', async () => {
    expect(keysOf((await get('/v1/notifications?customer=shop-anna')).json())).toEqual(['reminder-mail', 'reminder-sms', 'enrolment']);
    expect(keysOf((await get('/v1/notifications?customer=shop-anna&channel=email')).json())).toEqual(['reminder-mail', 'enrolment']);
    expect(keysOf((await get('/v1/notifications?template=trial-reminder')).json())).toEqual(['reminder-mail', 'reminder-sms']);
    expect(keysOf((await get('/v1/notifications?status=failed')).json())).toEqual(['bram-failed']);
    expect(keysOf((await get('/v1/notifications?channel=sms&status=dead')).json())).toEqual(['reminder-sms']);
    expect((await get('/v1/notifications?customer=shop-nobody')).json()).toEqual({ data: [], has_more: false, next_cursor: null });
  });

  it('pages with limit and starting_after without skipping or repeating a row', async () => {
    const first = (await get('/v1/notifications?limit=2')).json();
    expect([keysOf(first), first.has_more]).toEqual([['alert:dead-webhook:7:ops@shop.example', 'bram-failed'], true]);
    const second = (await get(`/v1/notifications?limit=2&starting_after=${first.data[1].id}`)).json();
    expect([keysOf(second), second.has_more]).toEqual([['reminder-mail', 'reminder-sms'], true]);
    const third = (await get(`/v1/notifications?limit=2&starting_after=${second.data[1].id}`)).json();
    expect([keysOf(third), third.has_more]).toEqual([['enrolment'], false]);
    const filtered = (await get(`/v1/notifications?customer=shop-anna&limit=1&starting_after=${ids['reminder-mail']}`)).json();
    expect([keysOf(filtered), filtered.has_more]).toEqual([['reminder-sms'], true]);
  });

  it('reads one notice, and answers 404 for an id that is no notice', async () => {
    const one = await get(`/v1/notifications/${ids['reminder-sms']}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: ids['reminder-sms'], template: 'trial-reminder', status: 'dead', recipient: '+316*****78' });
    expect(one.body).not.toContain('secret_payload');
    const missing = await get('/v1/notifications/00000000-0000-4000-8000-000000000000');
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'not_found']);
  });

  it.each([
    ['a limit over 100', '/v1/notifications?limit=101', /limit/],
    ['an unknown status', '/v1/notifications?status=lost', /status/],
    ['an unknown channel', '/v1/notifications?channel=fax', /channel/],
    ['a cursor that is not a uuid', '/v1/notifications?starting_after=12', /starting_after/],
    ['a cursor that names no notice', '/v1/notifications?starting_after=00000000-0000-4000-8000-000000000000', /starting_after/],
    ['an unknown filter', '/v1/notifications?recipient=jan', /recipient/],
    ['an id that is not a uuid', '/v1/notifications/abc', /params\.id/],
  ])('refuses %s with 400', async (_name, url, message) => {
    const response = await get(url);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(message) });
  });

  it('refuses every route without a valid API key, and changes nothing', async () => {
    for (const auth of [null, `Bearer rk_${'A'.repeat(43)}`]) {
      expect((await get('/v1/notifications', auth)).statusCode).toBe(401);
      expect((await get(`/v1/notifications/${ids.enrolment}`, auth)).statusCode).toBe(401);
      expect((await retry(ids['reminder-sms']!, auth)).statusCode).toBe(401);
    }
    expect((await get(`/v1/notifications/${ids['reminder-sms']}`)).json()).toMatchObject({ status: 'dead', attempts: 8 });
  });

  it('puts a dead notice back in the queue, due now with attempts reset, and audits it', async () => {
    t.clock.set(at(60));
    const response = await retry(ids['reminder-sms']!);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'pending', attempts: 0, last_error: null, error_code: null, provider_message_id: null, due_at: at(60).toISOString(), updated_at: at(60).toISOString(), created_at: at(2).toISOString() });
    const row = await t.ctx.db.query<{ status: string; attempts: number; due_at: Date; claim_token: string | null }>('SELECT status, attempts, due_at, claim_token FROM notification_outbox WHERE id = $1', [ids['reminder-sms']]);
    expect(row.rows).toEqual([{ status: 'pending', attempts: 0, due_at: at(60), claim_token: null }]);
    const audit = await listAuditEntries(t.ctx.db, 'notification', ids['reminder-sms']!);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'retry', actor: expect.stringMatching(/^api_key:/), before: { status: 'dead', attempts: 8 }, after: { status: 'pending', attempts: 0 } });
  });

  it('retries a failed notice too', async () => {
    const response = await retry(ids['bram-failed']!);
    expect(response.json()).toMatchObject({ status: 'pending', attempts: 0, error_code: null, delivery_status: null });
  });

  it.each([['reminder-mail', 'sent'], ['enrolment', 'delivered'], ['alert:dead-webhook:7:ops@shop.example', 'pending']])('answers 409 for a %s notice (%s) and changes nothing', async (key, status) => {
    const before = (await get(`/v1/notifications/${ids[key]}`)).json();
    const response = await retry(ids[key]!);
    expect([response.statusCode, response.json().error.code]).toEqual([409, 'conflict']);
    expect(response.json().error.message).toContain(status);
    expect((await get(`/v1/notifications/${ids[key]}`)).json()).toEqual(before);
    expect(await listAuditEntries(t.ctx.db, 'notification', ids[key]!)).toEqual([]);
  });

  it('answers 404 for a retry of an unknown notice', async () => {
    const response = await retry('00000000-0000-4000-8000-000000000000');
    expect([response.statusCode, response.json().error.code]).toEqual([404, 'not_found']);
  });
});
