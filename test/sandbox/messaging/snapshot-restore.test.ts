import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxProvider } from '../../../sandbox/core/sandbox-provider.ts';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { createSendgridSandbox, defaultSendgridApiKey } from '../../../sandbox/sendgrid/sendgrid-sandbox.ts';
import { defaultTwilioCredentials } from '../../../sandbox/twilio/twilio-sandbox.ts';
import { sendgridMail, startMessagingSandbox, twilioClient } from './support/messaging-kit.ts';

const { accountSid, authToken } = defaultTwilioCredentials;

let sandbox: RunningSandbox;
let sendgrid: SandboxProvider;
let twilio: SandboxProvider;

const newStateFile = () => join(mkdtempSync(join(tmpdir(), 'recur-messaging-state-')), 'state.json');
const inboxSize = async (path: string) => ((await (await fetch(`${sandbox.url}${path}`)).json()) as { data: unknown[] }).data.length;
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

async function sendOneOfEach(): Promise<void> {
  await sendgridMail(sandbox.url, defaultSendgridApiKey).mail.send({ to: 'klant@example.nl', from: 'winkel@example.nl', subject: 'Hoi', text: 'Hallo.' });
  await twilioClient(sandbox.url, accountSid, authToken).messages.create({ to: '+31612345678', from: '+15005550006', body: 'Hallo.' });
}

beforeAll(async () => {
  sandbox = await startMessagingSandbox();
  sendgrid = sandbox.providers.find((provider) => provider.name === 'sendgrid')!;
  twilio = sandbox.providers.find((provider) => provider.name === 'twilio')!;
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

describe('SendGrid and Twilio snapshots', () => {
  it('round-trip an empty state as plain JSON, replacing what was there', async () => {
    const empty = { sendgrid: asJson(sendgrid.snapshot()), twilio: asJson(twilio.snapshot()) };
    expect(empty.twilio).toEqual({ messages: [], optedOut: [] });
    expect(empty.sendgrid).toMatchObject({ mails: { mails: [], scheduled: [] }, eventWebhook: { signed: true, privateKey: expect.stringMatching(/^-----BEGIN PRIVATE KEY-----/) } });
    await sendOneOfEach();
    expect([await inboxSize('/sandbox/mail'), await inboxSize('/sandbox/sms')]).toEqual([1, 1]);

    sendgrid.restore(empty.sendgrid);
    twilio.restore(empty.twilio);
    expect([await inboxSize('/sandbox/mail'), await inboxSize('/sandbox/sms')]).toEqual([0, 0]);
    expect(asJson(sendgrid.snapshot())).toEqual(empty.sendgrid);
    expect(asJson(twilio.snapshot())).toEqual(empty.twilio);
  });

  it('throw a clear Error on garbage, and keep their state', async () => {
    await sendOneOfEach();
    const good = asJson(sendgrid.snapshot()) as { eventWebhook: Record<string, unknown> };
    for (const garbage of [null, 'state', {}, { mails: 'x' }]) {
      expect(() => sendgrid.restore(garbage)).toThrow(/cannot restore the SendGrid sandbox/);
      expect(() => twilio.restore(garbage)).toThrow(/cannot restore the Twilio sandbox/);
    }
    expect(() => sendgrid.restore({ ...good, eventWebhook: { ...good.eventWebhook, privateKey: 'not a key' } })).toThrow(/signing key is not a PEM private key/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => sendgrid.restore({ ...good, eventWebhook: { ...good.eventWebhook, privateKey: p384 } })).toThrow(/not an ECDSA P-256 key/);
    expect(() => twilio.restore({ messages: [{ sid: 'SM1' }], optedOut: [] })).toThrow(/messages\[0\]/);
    expect([await inboxSize('/sandbox/mail'), await inboxSize('/sandbox/sms')]).toEqual([1, 1]);
  });

  it('refuse to start on a state file whose SendGrid part is garbage', async () => {
    const stateFile = newStateFile();
    writeFileSync(stateFile, JSON.stringify({ version: 1, clock: '2026-03-01T09:00:00.000Z', providers: { sendgrid: { mails: [] } } }));
    await expect(startMessagingSandbox(undefined, { stateFile })).rejects.toThrow(/cannot restore the SendGrid sandbox/);
  });
});

describe('a configured Event Webhook URL across a restart', () => {
  const settingsOf = async (started: RunningSandbox) =>
    (await sendgridMail(started.url, defaultSendgridApiKey).client.request({ method: 'GET', url: '/v3/user/webhooks/event/settings' }))[0].body as Record<string, unknown>;
  const patch = (started: RunningSandbox, body: object) =>
    sendgridMail(started.url, defaultSendgridApiKey).client.request({ method: 'PATCH', url: '/v3/user/webhooks/event/settings', body });
  const restart = async (stateFile: string, eventWebhookUrl: string, change: object) => {
    const first = await startMessagingSandbox([createSendgridSandbox({ eventWebhookUrl: 'http://127.0.0.1:1/configured' })], { stateFile });
    await patch(first, change);
    await first.stop();
    return startMessagingSandbox([createSendgridSandbox({ eventWebhookUrl })], { stateFile });
  };

  it('gives way to a URL set through the API while the configuration stays the same', async () => {
    const second = await restart(newStateFile(), 'http://127.0.0.1:1/configured', { url: 'http://127.0.0.1:1/patched', open: true });
    expect(await settingsOf(second)).toMatchObject({ url: 'http://127.0.0.1:1/patched', open: true });
    await second.stop();
  });

  it('wins once the configuration names another URL, keeping the other settings', async () => {
    const second = await restart(newStateFile(), 'http://127.0.0.1:1/moved', { url: 'http://127.0.0.1:1/patched', open: true });
    expect(await settingsOf(second)).toMatchObject({ enabled: true, url: 'http://127.0.0.1:1/moved', open: true });
    await second.stop();
  });
});
