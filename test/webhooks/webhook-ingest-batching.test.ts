import { afterEach, describe, expect, it } from 'vitest';
import type { Database, Queryable } from '../../src/db/database.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { countInbox, SECRET, signStripe, startWebhookTestApp, stripeEventBody, type WebhookTestApp } from './webhook-test-app.ts';

const INBOX_INSERT = /^\s*INSERT INTO webhook_inbox/;

/** The app's database with its inbox inserts seen (and, when asked, refused) on the way. */
function watchInboxInserts(t: WebhookTestApp, refuse: (sql: string, params: readonly unknown[]) => boolean = () => false): { statements: number; rows: number } {
  const seen = { statements: 0, rows: 0 };
  const inner = t.ctx.db;
  const query: Queryable['query'] = async (sql, params, options) => {
    if (INBOX_INSERT.test(sql)) {
      seen.statements += 1;
      const first = params?.[1];
      seen.rows += Array.isArray(first) ? first.length : 1;
      if (refuse(sql, params ?? [])) throw new Error('the database refused the insert (simulated)');
    }
    return inner.query(sql, params, options);
  };
  // The routes read ctx.db per request: every delivery from here on goes through the watcher.
  t.ctx.db = { kind: inner.kind, query, exec: (sql) => inner.exec(sql), transaction: (work) => inner.transaction(work), close: () => inner.close() } as Database;
  return seen;
}

describe.each(testDatabaseKinds)('concurrent webhook deliveries on %s', { timeout: 120_000 }, (kind) => {
  let t: WebhookTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const deliver = (app: WebhookTestApp, body: string) =>
    app.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signStripe(body, SECRET, app.clock.now()) }, payload: body });

  it('stores 200 deliveries with duplicates in a few multi-row statements: each answered right, one row per event id', async () => {
    t = await startWebhookTestApp(kind);
    const seen = watchInboxInserts(t);
    // 100 events, each delivered twice, interleaved; 10 of them were stored before.
    const ids = Array.from({ length: 100 }, (_, index) => `evt_batch_${index}`);
    for (const id of ids.slice(0, 10)) expect((await deliver(t, stripeEventBody(id))).statusCode).toBe(200);
    const before = seen.statements;
    const order = [...ids, ...ids].sort((a, b) => (a.length * 7 + Number(a.slice(10))) % 13 - (b.length * 7 + Number(b.slice(10))) % 13);
    const answers = await Promise.all(order.map((id) => deliver(t!, stripeEventBody(id)).then((answer) => ({ id, status: answer.statusCode, body: answer.json() as { received: boolean; duplicate?: boolean } }))));

    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const fresh = answers.filter((answer) => answer.body.duplicate !== true).map((answer) => answer.id).sort();
    // Each event stored before is a duplicate both times; each new one is accepted exactly once.
    expect(fresh).toEqual(ids.slice(10).sort());
    expect(answers.filter((answer) => answer.body.duplicate === true)).toHaveLength(110);
    expect(await countInbox(t)).toBe(100);
    const perId = await t.ctx.db.query<{ n: number }>('SELECT max(n)::int AS n FROM (SELECT count(*) AS n FROM webhook_inbox GROUP BY provider, provider_event_id) AS counts');
    expect(perId.rows[0]!.n).toBe(1);
    // Grouped: far fewer statements than deliveries.
    expect(seen.statements - before).toBeLessThanOrEqual(20);
  });

  it('answers 503 to every delivery of a statement the database refuses, and stores none of them', async () => {
    t = await startWebhookTestApp(kind);
    watchInboxInserts(t, () => true);
    const ids = Array.from({ length: 30 }, (_, index) => `evt_refused_${index}`);
    const answers = await Promise.all(ids.map((id) => deliver(t!, stripeEventBody(id))));
    expect(answers.map((answer) => answer.statusCode)).toEqual(ids.map(() => 503));
    expect(answers.every((answer) => (answer.json() as { error: { code: string } }).error.code === 'storage_unavailable')).toBe(true);
    expect(await countInbox(t)).toBe(0);
  });

  it('tries a refused batch again row by row: the one row the database refuses fails alone (503), the others are stored (200)', async () => {
    t = await startWebhookTestApp(kind);
    // The database refuses any statement holding this one event, alone or in a batch.
    const seen = watchInboxInserts(t, (_sql, params) => Array.isArray(params[1]) && (params[1] as string[]).includes('evt_row_7'));
    const ids = Array.from({ length: 20 }, (_, index) => `evt_row_${index}`);
    const answers = await Promise.all(ids.map((id) => deliver(t!, stripeEventBody(id)).then((answer) => ({ id, status: answer.statusCode }))));
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([{ id: 'evt_row_7', status: 503 }]);
    expect(await countInbox(t)).toBe(19);
    expect(seen.statements).toBeLessThan(ids.length * 2);
  });

  it('does not answer a delivery before its row is committed', async () => {
    t = await startWebhookTestApp(kind);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = t.ctx.db;
    watchInboxInserts(t);
    const watched = t.ctx.db;
    // Every inbox insert waits at the gate before it reaches the database.
    t.ctx.db = { ...watched, kind: inner.kind, query: async (sql, params, options) => (INBOX_INSERT.test(sql) ? gate.then(() => watched.query(sql, params, options)) : watched.query(sql, params, options)) } as Database;
    let answered = 0;
    const deliveries = Array.from({ length: 10 }, (_, index) => deliver(t!, stripeEventBody(`evt_gate_${index}`)).then((answer) => ((answered += 1), answer)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered).toBe(0);
    release();
    expect((await Promise.all(deliveries)).map((answer) => answer.statusCode)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(await countInbox(t)).toBe(10);
  });
});
