import { generateKeyPairSync, sign } from 'node:crypto';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVER_NOTIFICATIONS } from '../../src/jobs/deliver-notifications.ts';
import { createSendgridCallbackVerifier } from '../../src/providers/messaging/sendgrid/verify-sendgrid-events.ts';
import { advanceSandboxDays, apiOf, runNoticeJobs, signUp } from '../notifications/notice-scenario-kit.ts';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const START = new Date('2026-03-02T09:00:00Z');
const PHONE = '+31655556666';

type Row = { id: string; channel: string; template: string; status: string; delivery_status: string | null; error_code: string | null; provider_message_id: string };

/**
 * Delivery callbacks signed with the real keys, naming a notice by its outbox id but reporting on
 * another message: the row was sent as one message, so a report about another changes nothing.
 */
describe.each(testDatabaseKinds)('delivery callbacks about another message than the notice they name, on %s', (kind) => {
  let recur: RunningRecur;
  let rows: Row[] = [];
  const rowOf = (channel: string) => rows.find((row) => row.channel === channel && row.template === 'trial-reminder')!;
  const readRow = async (id: string) => (await recur.t.ctx.db.query<Row>('SELECT id, channel, template, status, delivery_status, error_code, provider_message_id FROM notification_outbox WHERE id = $1', [id])).rows[0];
  const warnings = () => recur.t.logLines.filter((line) => line.includes('sent as another message')).map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, withoutJobs: [DELIVER_NOTIFICATIONS] });
    await recur.startWorker();
    await signUp(recur, { externalId: 'shop-5201', email: 'match@example.nl', name: 'Match', phone: PHONE, smsConsent: true, plan: 'monthly', card: 'pm_card_visa' });
    await runNoticeJobs(recur);
    await advanceSandboxDays(recur, 23);
    await runNoticeJobs(recur);
    rows = (await recur.t.ctx.db.query<Row>('SELECT id, channel, template, status, delivery_status, error_code, provider_message_id FROM notification_outbox ORDER BY created_at, channel')).rows;
    expect(rowOf('sms')).toMatchObject({ status: 'delivered', provider_message_id: expect.stringMatching(/^SM/) });
    expect(rowOf('email')).toMatchObject({ status: 'delivered', provider_message_id: expect.any(String) });
  }, 120_000);
  afterAll(async () => {
    await recur?.close();
  }, 120_000);

  it('Twilio: an opt-out signed with the auth token for another SID neither touches the row nor withdraws SMS consent', async () => {
    const { twilio: account } = recur.kit.sandbox.describe().providers as { twilio: { authToken: string } };
    const sms = rowOf('sms');
    const post = async (fields: Record<string, string>) => {
      const path = `/webhooks/twilio?outbox_id=${sms.id}`;
      const signature = twilio.getExpectedTwilioSignature(account.authToken, `${recur.baseUrl}${path}`, fields);
      return recur.t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, payload: new URLSearchParams(fields).toString() });
    };
    const other = await post({ MessageSid: 'SM0123456789abcdef0123456789abcdef', MessageStatus: 'undelivered', ErrorCode: '21610' });
    expect([other.statusCode, other.json()]).toEqual([200, { received: true, applied: 0, unknown: 0, ignored: 1 }]);
    expect(await readRow(sms.id)).toEqual(sms);
    const customer = (await (await apiOf(recur)('GET', '/v1/customers/shop-5201')).json()) as { sms_consent: boolean };
    expect(customer.sms_consent).toBe(true);
    expect(warnings().map(({ level, provider, outboxId, channel }) => ({ level, provider, outboxId, channel }))).toEqual([{ level: 40, provider: 'twilio', outboxId: sms.id, channel: 'sms' }]);

    // The same report about the row's own message is applied.
    const own = await post({ MessageSid: sms.provider_message_id, MessageStatus: 'undelivered', ErrorCode: '21610' });
    expect(own.json()).toMatchObject({ applied: 1, ignored: 0 });
    expect(((await (await apiOf(recur)('GET', '/v1/customers/shop-5201')).json()) as { sms_consent: boolean }).sms_consent).toBe(false);
  });

  it('SendGrid: a signed bounce for another sg_message_id leaves the delivered e-mail as it is', async () => {
    // The shop's Event Webhook key (its public half is what recur is configured with).
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    recur.t.ctx.messaging = { ...recur.t.ctx.messaging!, emailCallbacks: createSendgridCallbackVerifier(publicKey.export({ format: 'der', type: 'spki' }).toString('base64')) };
    const email = rowOf('email');
    const post = async (messageId: string, eventId: string) => {
      const timestamp = String(Math.floor(recur.t.ctx.clock.now().getTime() / 1000));
      const body = JSON.stringify([{ email: 'match@example.nl', event: 'bounce', timestamp: Number(timestamp), sg_event_id: eventId, sg_message_id: `${messageId}.filter0001.0.0`, outbox_id: email.id, reason: '550 no such user' }]);
      const signature = sign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64');
      return recur.t.app.inject({
        method: 'POST',
        url: '/webhooks/sendgrid',
        headers: { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp },
        payload: body,
      });
    };
    const other = await post('AnotherMessageOfTheAccount', 'event-other');
    expect([other.statusCode, other.json()]).toEqual([200, { received: true, applied: 0, unknown: 0, ignored: 1 }]);
    expect(await readRow(email.id)).toEqual(email);
    expect(warnings().at(-1)).toMatchObject({ level: 40, provider: 'sendgrid', outboxId: email.id, channel: 'email' });

    const own = await post(email.provider_message_id, 'event-own');
    expect(own.json()).toMatchObject({ applied: 1, ignored: 0 });
    expect(await readRow(email.id)).toMatchObject({ status: 'bounced', delivery_status: 'bounced' });
  });
});
