import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingSms } from '../../src/providers/messaging/messaging.ts';
import { createTwilioSender } from '../../src/providers/messaging/twilio/create-twilio-sender.ts';
import { RecurError } from '../../src/shared/errors.ts';
import { startProviderSandbox, unreachableUrl, type ProviderSandbox } from './support/provider-sandbox.ts';

type InboxSms = { sid: string; from: string; to: string; body: string };

let env: ProviderSandbox;

const reminder: OutgoingSms = { to: '+31612345678', body: 'Je proefperiode eindigt op 31 maart; daarna € 29,99 per maand.', reference: 'ob_51c2', statusCallbackUrl: null };

const sender = (overrides: { authToken?: string; apiBase?: string } = {}) =>
  createTwilioSender({ accountSid: env.twilio.accountSid, authToken: env.twilio.authToken, from: env.twilio.fromNumber, apiBase: env.twilio.baseUrl, ...overrides });

const inbox = async () => (await env.get<{ data: InboxSms[] }>('/sandbox/sms')).data;

/** The sandbox clock: the time Twilio writes as date_created. */
const sandboxNow = () => env.sandbox.ctx.clock.now();

beforeAll(async () => {
  env = await startProviderSandbox();
});
afterAll(() => env.sandbox.stop());
beforeEach(() => env.sandbox.reset());

describe('Twilio sender', () => {
  it('sends the SMS from the configured number and returns its sid', async () => {
    const result = await sender().send(reminder);

    expect(result).toEqual({ kind: 'sent', providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    expect(await inbox()).toEqual([expect.objectContaining({ sid: result.kind === 'sent' ? result.providerMessageId : 'none', from: env.twilio.fromNumber, to: reminder.to, body: reminder.body })]);
  });

  it('rejects an opted-out number (21610) as opted out', async () => {
    await env.post('/sandbox/sms/opt-out', { number: reminder.to });
    expect(await sender().send(reminder)).toEqual({ kind: 'rejected', code: '21610', reason: expect.stringContaining('opted out'), optedOut: true });
    expect(await sender().send({ ...reminder, to: '+15005550004' })).toMatchObject({ kind: 'rejected', code: '21610', optedOut: true });
    expect(await inbox()).toEqual([]);
  });

  it.each([
    ['+15005550001', '21211'],
    ['+15005550002', '21612'],
    ['+15005550003', '21408'],
    ['+15005550009', '21614'],
  ])('rejects %s with Twilio code %s, not as an opt-out', async (to, code) => {
    expect(await sender().send({ ...reminder, to })).toEqual({ kind: 'rejected', code, reason: expect.stringContaining(code), optedOut: false });
  });

  it('rejects a body over 1600 characters (21617)', async () => {
    expect(await sender().send({ ...reminder, body: 'x'.repeat(1601) })).toMatchObject({ kind: 'rejected', code: '21617', optedOut: false });
  });

  it.each([500, 503, 429])('asks for a retry on a %i, and nothing is sent', async (errorStatus) => {
    await env.setFaults([{ provider: 'twilio', errorRate: 1, errorStatus }]);
    expect(await sender().send(reminder)).toEqual({ kind: 'retry', reason: expect.stringContaining(String(errorStatus)), retryAfterSeconds: null });
    expect(await inbox()).toEqual([]);
  });

  it('asks for a retry with wrong credentials (20003), saying they must be fixed', async () => {
    const result = await sender({ authToken: '0'.repeat(32) }).send(reminder);
    expect(result).toEqual({ kind: 'retry', reason: expect.stringMatching(/credentials.*TWILIO_AUTH_TOKEN/), retryAfterSeconds: null });
  });

  it('asks for a retry when Twilio cannot be reached', async () => {
    const result = await sender({ apiBase: await unreachableUrl('/twilio') }).send(reminder);
    expect(result).toEqual({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED'), retryAfterSeconds: null });
  });
});

describe('Twilio findSent', () => {
  it('finds a message to the number with exactly this body, created at or after `since`', async () => {
    const sentAt = sandboxNow();
    const sent = await sender().send(reminder);
    await sender().send({ ...reminder, body: 'Een ander bericht.' });
    await sender().send({ ...reminder, to: '+31687654321' });
    const sid = sent.kind === 'sent' ? sent.providerMessageId : 'none';

    expect(await sender().findSent(reminder.to, reminder.body, sentAt)).toBe(sid);
    // Twilio writes dates to the second: a `since` later within that second still finds it.
    expect(await sender().findSent(reminder.to, reminder.body, new Date(sentAt.getTime() + 999))).toBe(sid);
  });

  it('returns null for another body, another number, or a message older than `since`', async () => {
    const sentAt = sandboxNow();
    await sender().send(reminder);

    expect(await sender().findSent(reminder.to, `${reminder.body} `, sentAt)).toBeNull();
    expect(await sender().findSent('+31600000000', reminder.body, sentAt)).toBeNull();
    expect(await sender().findSent(reminder.to, reminder.body, new Date(sentAt.getTime() + 1000))).toBeNull();
  });

  it('returns the newest of several matching messages', async () => {
    const sentAt = sandboxNow();
    await sender().send(reminder);
    await env.sandbox.advance(new Date(sentAt.getTime() + 60_000));
    const newest = await sender().send(reminder);
    expect(await sender().findSent(reminder.to, reminder.body, sentAt)).toBe(newest.kind === 'sent' ? newest.providerMessageId : 'none');
  });

  it('throws a provider failure when Twilio cannot answer, rather than guess', async () => {
    await env.setFaults([{ provider: 'twilio', errorRate: 1, errorStatus: 500 }]);
    const failure = await sender()
      .findSent(reminder.to, reminder.body, sandboxNow())
      .then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(RecurError);
    expect(failure).toMatchObject({ code: 'provider_failure' });
  });
});
