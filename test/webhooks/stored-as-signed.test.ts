import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorableJsonText, MAX_JSON_DEPTH } from '../../src/shared/storable-json.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { SECRET, signStripe, startWebhookTestApp, type WebhookTestApp } from './webhook-test-app.ts';

/**
 * A storable event is stored from the text that was signed, not from a copy of its parsed value:
 * what the inbox holds is what the provider sent (a number beyond double precision keeps its
 * digits), and ingest spends no copy on it. Text that cannot be stored as it is goes the careful way.
 */
describe.each(testDatabaseKinds)('webhook payloads stored as signed on %s', (kind) => {
  let t: WebhookTestApp;
  beforeAll(async () => {
    t = await startWebhookTestApp(kind);
  });
  afterAll(() => t.close());

  const deliver = (body: string) =>
    t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, SECRET, t.clock.now()) }, payload: body });
  const storedText = async (id: string) => (await t.ctx.db.query<{ text: string }>('SELECT payload::text AS text FROM webhook_inbox WHERE provider_event_id = $1', [id])).rows[0]?.text;

  it('keeps every digit of a number a double cannot hold, and an escaped emoji', async () => {
    const created = Math.floor(t.clock.now().getTime() / 1000);
    const body = `{"id":"evt_as_signed","object":"event","type":"invoice.paid","created":${created},"data":{"object":{"id":"in_1","amount_big":12345678901234567891,"note":"\\ud83d\\ude00 \\"quoted\\" [not nested]"}}}`;
    expect(JSON.stringify(JSON.parse(body))).toContain('12345678901234567000');
    expect((await deliver(body)).statusCode).toBe(200);
    const text = await storedText('evt_as_signed');
    expect(text).toContain('"amount_big": 12345678901234567891');
    expect(JSON.parse(text!).data.object.note).toBe('\u{1F600} "quoted" [not nested]');
  });

  it('stores an escaped U+0000 as U+FFFD (the careful way), in a batch beside an event stored as signed', async () => {
    const created = Math.floor(t.clock.now().getTime() / 1000);
    const plain = `{"id":"evt_batch_plain","object":"event","type":"invoice.paid","created":${created},"data":{"object":{"id":"in_2"}}}`;
    const nul = `{"id":"evt_batch_nul","object":"event","type":"invoice.paid","created":${created},"data":{"object":{"id":"in_3","name":"a\\u0000b"}}}`;
    const answers = await Promise.all([deliver(plain), deliver(nul)]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
    expect(JSON.parse((await storedText('evt_batch_plain'))!).data.object).toEqual({ id: 'in_2' });
    expect(JSON.parse((await storedText('evt_batch_nul'))!).data.object).toEqual({ id: 'in_3', name: 'a\ufffdb' });
  });
});

describe('isStorableJsonText', () => {
  it('refuses an escaped U+0000 or surrogate, and nothing else', () => {
    expect(isStorableJsonText('{"a":"x\\u0000"}')).toBe(false);
    expect(isStorableJsonText('{"a":"\\uD800"}')).toBe(false);
    expect(isStorableJsonText('{"a":"\\udfff"}')).toBe(false);
    expect(isStorableJsonText('{"a":"\\ud83d x"}')).toBe(false);
    expect(isStorableJsonText('{"a":"\\ud83d\\ude00"}')).toBe(true);
    // An escaped backslash followed by the letters u0000 is plain text.
    expect(isStorableJsonText('{"a":"\\\\u0000"}')).toBe(true);
    expect(isStorableJsonText('{"a":"\\u00e9 \\n \\"q\\""}')).toBe(true);
  });

  it('counts nesting outside strings only, up to the same depth as the parsed check', () => {
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    expect(isStorableJsonText(nested(MAX_JSON_DEPTH))).toBe(true);
    expect(isStorableJsonText(nested(MAX_JSON_DEPTH + 1))).toBe(false);
    expect(isStorableJsonText(`{"a":"${'['.repeat(500)}"}`)).toBe(true);
  });
});
