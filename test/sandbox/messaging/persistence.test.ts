import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { defaultSendgridApiKey } from '../../../sandbox/sendgrid/sendgrid-sandbox.ts';
import { defaultTwilioCredentials } from '../../../sandbox/twilio/twilio-sandbox.ts';
import { sendgridMail, startMessagingSandbox, startWebhookListener, twilioClient, type ReceivedRequest } from './support/messaging-kit.ts';

const { accountSid, authToken } = defaultTwilioCredentials;
const customer = '+31612345678';
const stoppedCustomer = '+31687654321';
const sender = '+15005550006';
const sendAt = Date.parse('2026-03-01T10:00:00Z') / 1000;

type Inbox = { data: { to?: string[]; status: string }[] };

const stateFile = join(mkdtempSync(join(tmpdir(), 'recur-messaging-state-')), 'state.json');
let listener: Awaited<ReturnType<typeof startWebhookListener>>;
let sandbox: RunningSandbox;
/** What the first sandbox showed just before it stopped. */
const before = { mail: null as unknown, sms: null as unknown, settings: null as unknown, publicKey: '', smsSid: '' };

const readJson = async <T = unknown>(url: string) => (await (await fetch(url)).json()) as T;
const sendgridRequest = async (sandboxUrl: string, method: 'GET' | 'PATCH', url: string, body?: object) =>
  (await sendgridMail(sandboxUrl, defaultSendgridApiKey).client.request({ method, url, ...(body ? { body } : {}) }))[0].body as Record<string, unknown>;

async function optOut(sandboxUrl: string, number: string): Promise<void> {
  const response = await fetch(`${sandboxUrl}/sandbox/sms/opt-out`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number }) });
  expect(response.status).toBe(200);
}

async function refusalCode(create: Promise<unknown>): Promise<number | null> {
  return create.then(
    () => null,
    (error: unknown) => (error instanceof twilio.RestException ? (error.code ?? null) : null),
  );
}

function verifies(publicKey: string, request: ReceivedRequest): boolean {
  const verifier = new EventWebhook();
  const signature = request.headers[EventWebhookHeader.SIGNATURE().toLowerCase()] as string;
  const timestamp = request.headers[EventWebhookHeader.TIMESTAMP().toLowerCase()] as string;
  return verifier.verifySignature(verifier.convertPublicKeyToECDSA(publicKey), request.body, signature, timestamp);
}

beforeAll(async () => {
  listener = await startWebhookListener();
  const first = await startMessagingSandbox(undefined, { stateFile });
  await sendgridRequest(first.url, 'PATCH', '/v3/user/webhooks/event/settings', { enabled: true, url: listener.url('/webhooks/sendgrid'), open: true, bounce: false });
  const { mail } = sendgridMail(first.url, defaultSendgridApiKey);
  await mail.send({ to: 'klant@example.nl', from: 'winkel@example.nl', subject: 'Factuur', text: 'Je factuur staat klaar.' });
  await mail.send({ to: 'later@example.nl', from: 'winkel@example.nl', subject: 'Herinnering', text: 'Morgen verloopt je proef.', sendAt });

  const client = twilioClient(first.url, accountSid, authToken);
  before.smsSid = (await client.messages.create({ to: customer, from: sender, body: 'Je abonnement is verlengd.' })).sid;
  await optOut(first.url, stoppedCustomer);
  expect(await refusalCode(client.messages.create({ to: stoppedCustomer, from: sender, body: 'x' }))).toBe(21610);

  await first.ctx.webhooks.flush();
  before.mail = await readJson(`${first.url}/sandbox/mail`);
  before.sms = await readJson(`${first.url}/sandbox/sms`);
  before.settings = await sendgridRequest(first.url, 'GET', '/v3/user/webhooks/event/settings');
  before.publicKey = (await sendgridRequest(first.url, 'GET', '/v3/user/webhooks/event/settings/signed')).public_key as string;
  await first.stop();

  listener.received.length = 0;
  sandbox = await startMessagingSandbox(undefined, { stateFile });
});
afterAll(async () => {
  await sandbox?.stop();
  await listener?.close();
});

describe('SendGrid and Twilio on a state file, after a restart', () => {
  it('list the same mail (one delivered, one still scheduled) and the same SMS and opt-outs', async () => {
    const mail = await readJson<Inbox>(`${sandbox.url}/sandbox/mail`);
    expect(mail).toEqual(before.mail);
    expect(mail.data.map((m) => `${m.to?.[0]}:${m.status}`)).toEqual(['later@example.nl:scheduled', 'klant@example.nl:delivered']);
    const sms = await readJson<Inbox & { opted_out: string[] }>(`${sandbox.url}/sandbox/sms`);
    expect(sms).toEqual(before.sms);
    expect(sms.opted_out).toEqual([stoppedCustomer]);
  });

  it('fetch a message created before the restart through the twilio SDK, status and dates intact', async () => {
    const message = await twilioClient(sandbox.url, accountSid, authToken).messages(before.smsSid).fetch();
    expect(message).toMatchObject({ sid: before.smsSid, status: 'delivered', to: customer, body: 'Je abonnement is verlengd.' });
    expect(message.dateCreated.toISOString()).toBe('2026-03-01T09:00:00.000Z');
    expect(message.dateSent?.toISOString()).toBe('2026-03-01T09:00:00.000Z');
  });

  it('still refuse the opted-out number with 21610, and still send to others', async () => {
    const client = twilioClient(sandbox.url, accountSid, authToken);
    expect(await refusalCode(client.messages.create({ to: stoppedCustomer, from: sender, body: 'x' }))).toBe(21610);
    expect((await client.messages.create({ to: customer, from: sender, body: 'Nog een bericht.' })).status).toBe('queued');
  });

  it('keep the Event Webhook settings and the public key recur already trusts', async () => {
    expect(await sendgridRequest(sandbox.url, 'GET', '/v3/user/webhooks/event/settings')).toEqual(before.settings);
    expect(before.settings).toMatchObject({ enabled: true, open: true, bounce: false });
    expect((await sendgridRequest(sandbox.url, 'GET', '/v3/user/webhooks/event/settings/signed')).public_key).toBe(before.publicKey);
  });

  it('send the scheduled mail once the clock passes send_at, to the configured URL, signed with the same key', async () => {
    await sandbox.advance(new Date((sendAt + 60) * 1000));
    await sandbox.ctx.webhooks.flush();
    expect(listener.received.map((request) => request.path)).toEqual(['/webhooks/sendgrid']);
    const [request] = listener.received;
    expect(verifies(before.publicKey, request!)).toBe(true);
    expect((JSON.parse(request!.body) as { email: string; event: string; timestamp: number }[]).map((e) => `${e.email}:${e.event}:${e.timestamp}`)).toEqual([
      `later@example.nl:processed:${sendAt}`,
      `later@example.nl:delivered:${sendAt}`,
    ]);
    const mail = await readJson<Inbox>(`${sandbox.url}/sandbox/mail?to=later@example.nl`);
    expect(mail.data.map((m) => m.status)).toEqual(['delivered']);
  });

  it('write no Twilio credentials to the state file: the configured ones win at every start', () => {
    const saved = readFileSync(stateFile, 'utf8');
    expect(saved).not.toContain(authToken);
    expect(JSON.parse(saved).providers.twilio).toEqual({ messages: expect.any(Array), optedOut: [stoppedCustomer] });
  });
});
