import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { defaultTwilioCredentials } from '../../../sandbox/twilio/twilio-sandbox.ts';
import { startMessagingSandbox, twilioClient } from './support/messaging-kit.ts';

const { accountSid, authToken } = defaultTwilioCredentials;
const customer = '+31612345678';
const sender = '+15005550006';

let sandbox: RunningSandbox;
let client: twilio.Twilio;

async function refusal(create: Promise<unknown>): Promise<twilio.RestException> {
  return create.then(
    () => {
      throw new Error('expected Twilio to refuse');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(twilio.RestException);
      return error as twilio.RestException;
    },
  );
}

beforeAll(async () => {
  sandbox = await startMessagingSandbox();
  client = twilioClient(sandbox.url, accountSid, authToken);
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

describe('Twilio Messages through the twilio SDK', () => {
  it('creates a message (201, SM sid, queued, RFC 2822 date from the sandbox clock), fetches and lists it', async () => {
    const message = await client.messages.create({ to: customer, from: sender, body: 'Je abonnement is verlengd.' });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message).toMatchObject({ status: 'queued', to: customer, from: sender, accountSid, direction: 'outbound-api', numSegments: '1', errorCode: null });
    expect(message.dateCreated.toISOString()).toBe('2026-03-01T09:00:00.000Z');

    const fetched = await client.messages(message.sid).fetch();
    expect(fetched).toMatchObject({ sid: message.sid, status: 'delivered', body: 'Je abonnement is verlengd.' });
    expect(fetched.dateSent?.toISOString()).toBe('2026-03-01T09:00:00.000Z');

    const listed = await client.messages.list({ to: customer });
    expect(listed.map((m) => m.sid)).toEqual([message.sid]);
  });

  it('lists newest first across pages', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) sids.push((await client.messages.create({ to: customer, from: sender, body: `bericht ${i}` })).sid);
    const listed = await client.messages.list({ pageSize: 2 });
    expect(listed.map((m) => m.sid)).toEqual([...sids].reverse());
    const page = await client.messages.page({ pageSize: 2 });
    expect(page.instances).toHaveLength(2);
    expect((await page.nextPage())?.instances.map((m) => m.sid)).toEqual([sids[2], sids[1]]);
  });

  it('accepts a Messaging Service instead of a From, and picks the sender when sending', async () => {
    const messagingServiceSid = `MG${'a'.repeat(32)}`;
    const message = await client.messages.create({ to: customer, messagingServiceSid, body: 'Welkom!' });
    expect(message).toMatchObject({ status: 'accepted', from: null, messagingServiceSid });
    expect((await client.messages(message.sid).fetch()).from).toBe(sender);
  });

  it.each([
    ['an invalid To', { to: '0612345678', from: sender, body: 'x' }, 21211],
    ["Twilio's invalid-To test number", { to: '+15005550001', from: sender, body: 'x' }, 21211],
    ['a missing Body', { to: customer, from: sender }, 21602],
    ['a malformed From', { to: customer, from: '+1-not-a-number', body: 'x' }, 21212],
    ['a From that is not ours', { to: customer, from: '+15005550007', body: 'x' }, 21606],
    ['a body over 1600 characters', { to: customer, from: sender, body: 'x'.repeat(1601) }, 21617],
  ])('refuses %s with RestException code %i', async (_name, params, code) => {
    const error = await refusal(client.messages.create(params as { to: string; from: string; body: string }));
    expect(error).toMatchObject({ status: 400, code, moreInfo: `https://www.twilio.com/docs/errors/${code}` });
  });

  it('refuses a recipient who texted STOP with 21610, until START', async () => {
    const optOut = await fetch(`${sandbox.url}/sandbox/sms/opt-out`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number: customer }) });
    expect(optOut.status).toBe(200);
    expect((await refusal(client.messages.create({ to: customer, from: sender, body: 'x' }))).code).toBe(21610);
    expect((await refusal(client.messages.create({ to: '+15005550004', from: sender, body: 'x' }))).code).toBe(21610);
    await fetch(`${sandbox.url}/sandbox/sms/opt-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number: customer }) });
    expect((await client.messages.create({ to: customer, from: sender, body: 'x' })).status).toBe('queued');
  });

  it('refuses a wrong auth token or another account with 20003, and stores nothing', async () => {
    const wrongToken = twilioClient(sandbox.url, accountSid, 'f'.repeat(32));
    const error = await refusal(wrongToken.messages.create({ to: customer, from: sender, body: 'x' }));
    expect(error).toMatchObject({ status: 401, code: 20003 });
    const otherAccount = twilioClient(sandbox.url, `AC${'1'.repeat(32)}`, authToken);
    expect((await refusal(otherAccount.messages.list())).code).toBe(20003);
    expect(await client.messages.list()).toEqual([]);
  });

  it('answers 20404 for an unknown message', async () => {
    const error = await refusal(client.messages(`SM${'0'.repeat(32)}`).fetch());
    expect(error).toMatchObject({ status: 404, code: 20404 });
  });
});
