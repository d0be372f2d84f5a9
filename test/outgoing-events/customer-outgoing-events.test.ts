import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { eventsOf, expectDataAsTheApiAnswers, typesOf } from './outgoing-events-kit.ts';

describe.each(testDatabaseKinds)('outgoing customer events on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  const api = async (method: string, path: string, body?: unknown) => {
    const answer = await t.app.inject({ method: method as 'GET', url: path, headers: { authorization: t.auth }, ...(body ? { payload: body as object } : {}) });
    return new Response(answer.body, { status: answer.statusCode, headers: { 'content-type': 'application/json' } });
  };
  const sequenceOf = async (externalId: string) => Number((await t.ctx.db.query<{ n: string }>('SELECT event_sequence AS n FROM customers WHERE external_id = $1', [externalId])).rows[0]!.n);

  it('records customer.created, and customer.updated only when what the API shows changed', async () => {
    expect((await api('POST', '/v1/customers', { external_id: 'shop-8001', email: 'joris@example.nl', name: 'Joris', locale: 'nl' })).status).toBe(201);
    expect(typesOf(await eventsOf(t.ctx.db, 'shop-8001'))).toEqual(['customer.created']);

    t.clock.advance(60_000);
    expect((await api('PATCH', '/v1/customers/shop-8001', { name: 'Joris' })).status).toBe(200);
    expect(typesOf(await eventsOf(t.ctx.db, 'shop-8001'))).toEqual(['customer.created']);

    t.clock.advance(60_000);
    expect((await api('PATCH', '/v1/customers/shop-8001', { email: 'joris@fietsen.nl' })).status).toBe(200);
    const events = await eventsOf(t.ctx.db, 'shop-8001');
    expect(typesOf(events)).toEqual(['customer.created', 'customer.updated']);
    expect(events[1]).toMatchObject({ sequence: 2, occurredAt: t.clock.now().toISOString(), data: { external_id: 'shop-8001', email: 'joris@fietsen.nl' } });
    await expectDataAsTheApiAnswers(api, events, 'shop-8001');
  });

  it('records nothing, and numbers nothing, when the change fails', async () => {
    expect((await api('POST', '/v1/customers', { external_id: 'shop-8002', email: 'eva@example.nl' })).status).toBe(201);
    const before = await sequenceOf('shop-8002');
    // The write after the events (the entitlement kept per customer) fails: the whole change rolls back.
    await t.ctx.db.query(`CREATE FUNCTION refuse_recorded_entitlement() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$`);
    await t.ctx.db.query(`CREATE TRIGGER refuse_recorded_entitlement BEFORE UPDATE OF recorded_entitlement ON customers FOR EACH ROW EXECUTE FUNCTION refuse_recorded_entitlement()`);
    try {
      t.clock.advance(60_000);
      const banned = await api('PATCH', '/v1/customers/shop-8002', { banned: true, banned_reason: 'chargebacks' });
      expect(banned.status).toBe(500);
    } finally {
      await t.ctx.db.query('DROP TRIGGER refuse_recorded_entitlement ON customers');
      await t.ctx.db.query('DROP FUNCTION refuse_recorded_entitlement()');
    }
    expect(typesOf(await eventsOf(t.ctx.db, 'shop-8002'))).toEqual(['customer.created']);
    expect(await sequenceOf('shop-8002')).toBe(before);

    // The same ban again, now stored: the customer and the entitlement it ends.
    t.clock.advance(60_000);
    expect((await api('PATCH', '/v1/customers/shop-8002', { banned: true, banned_reason: 'chargebacks' })).status).toBe(200);
    const events = await eventsOf(t.ctx.db, 'shop-8002');
    expect(typesOf(events)).toEqual(['customer.created', 'customer.updated', 'entitlement.changed']);
    expect(events.map((event) => event.sequence)).toEqual([1, 2, 3]);
    expect(events[2]!.data).toMatchObject({ customer: 'shop-8002', entitled: false, reason: 'banned', until: null });
    await expectDataAsTheApiAnswers(api, events, 'shop-8002');
  });
});
