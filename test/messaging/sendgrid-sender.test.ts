import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '../../src/providers/messaging/messaging.ts';
import { createSendgridSender } from '../../src/providers/messaging/sendgrid/create-sendgrid-sender.ts';
import { retryAfterSecondsOf } from '../../src/providers/messaging/sendgrid/sendgrid-send-failures.ts';
import { startProviderSandbox, unreachableUrl, type ProviderSandbox } from './support/provider-sandbox.ts';

type InboxMail = { message_id: string; from: string; to: string[]; subject: string; text: string; html: string; custom_args: Record<string, string>; categories: string[] };

let env: ProviderSandbox;

const invoice: OutgoingEmail = {
  to: 'klant@example.nl',
  subject: 'Je factuur van maart',
  text: 'Je factuur van € 29,99 staat klaar.',
  html: '<p>Je factuur van <strong>€ 29,99</strong> staat klaar.</p>',
  reference: 'ob_7f3a',
  category: 'receipt',
};

const sender = (overrides: { apiKey?: string; apiBase?: string } = {}) =>
  createSendgridSender({ apiKey: env.sendgrid.apiKey, from: 'Sportwinkel <winkel@example.nl>', apiBase: env.sendgrid.baseUrl, ...overrides });

const inbox = async () => (await env.get<{ data: InboxMail[] }>('/sandbox/mail')).data;

beforeAll(async () => {
  env = await startProviderSandbox();
});
afterAll(() => env.sandbox.stop());
beforeEach(() => env.sandbox.reset());

describe('SendGrid sender', () => {
  it('sends subject, text, html, outbox_id and category, and returns the X-Message-Id', async () => {
    const result = await sender().send(invoice);

    expect(result).toEqual({ kind: 'sent', providerMessageId: expect.stringMatching(/^[\w-]{22}$/) });
    const mails = await inbox();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      message_id: result.kind === 'sent' ? result.providerMessageId : 'none',
      from: 'winkel@example.nl',
      to: ['klant@example.nl'],
      subject: invoice.subject,
      text: invoice.text,
      html: invoice.html,
      custom_args: { outbox_id: 'ob_7f3a' },
      categories: ['receipt'],
    });
  });

  it('accepts a bare from address', async () => {
    const result = await createSendgridSender({ apiKey: env.sendgrid.apiKey, from: 'winkel@example.nl', apiBase: env.sendgrid.baseUrl }).send(invoice);
    expect(result.kind).toBe('sent');
    expect((await inbox())[0]!.from).toBe('winkel@example.nl');
  });

  it('keeps each sender on its own client: a sender with a wrong key does not change another', async () => {
    const wrong = sender({ apiKey: 'SG.wrong' });
    const right = sender();
    expect((await wrong.send(invoice)).kind).toBe('retry');
    expect((await right.send(invoice)).kind).toBe('sent');
    expect((await wrong.send(invoice)).kind).toBe('retry');
    expect(await inbox()).toHaveLength(1);
  });

  it('asks for a retry on a 500, and nothing is sent', async () => {
    await env.setFaults([{ provider: 'sendgrid', errorRate: 1, errorStatus: 500 }]);
    expect(await sender().send(invoice)).toEqual({ kind: 'retry', reason: expect.stringContaining('500'), retryAfterSeconds: null });
    expect(await inbox()).toEqual([]);
  });

  it('asks for a retry on a 429, after the Retry-After SendGrid gave', async () => {
    await env.setFaults([{ provider: 'sendgrid', errorRate: 1, errorStatus: 429, retryAfterSeconds: 7 }]);
    expect(await sender().send(invoice)).toEqual({ kind: 'retry', reason: expect.stringContaining('429'), retryAfterSeconds: 7 });
  });

  it('goes through once the faults stop', async () => {
    await env.setFaults([{ provider: 'sendgrid', errorRate: 1, errorStatus: 503 }]);
    expect((await sender().send(invoice)).kind).toBe('retry');
    await env.setFaults([]);
    expect((await sender().send(invoice)).kind).toBe('sent');
    expect(await inbox()).toHaveLength(1);
  });

  it('asks for a retry with a bad API key, saying the key must be fixed', async () => {
    const result = await sender({ apiKey: 'SG.revoked-key' }).send(invoice);
    expect(result).toEqual({ kind: 'retry', reason: expect.stringMatching(/API key.*SENDGRID_API_KEY/), retryAfterSeconds: null });
  });

  it('rejects a mail SendGrid refuses (400) with its messages, and sends nothing', async () => {
    const result = await sender().send({ ...invoice, to: 'not-an-address' });
    expect(result).toEqual({ kind: 'rejected', code: 'invalid_request', reason: expect.stringContaining('Does not contain a valid address.'), optedOut: false });
    expect(await inbox()).toEqual([]);
  });

  it('asks for a retry when SendGrid cannot be reached', async () => {
    const result = await sender({ apiBase: await unreachableUrl('/sendgrid') }).send(invoice);
    expect(result).toEqual({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED'), retryAfterSeconds: null });
  });

  it('reads Retry-After as seconds or as a date against the answer’s Date', () => {
    expect(retryAfterSecondsOf({ 'retry-after': '12' })).toBe(12);
    expect(retryAfterSecondsOf({ 'retry-after': 'Sun, 01 Mar 2026 09:01:00 GMT', date: 'Sun, 01 Mar 2026 09:00:30 GMT' })).toBe(30);
    expect(retryAfterSecondsOf({ 'retry-after': 'Sun, 01 Mar 2026 09:01:00 GMT' })).toBeNull();
    expect(retryAfterSecondsOf({})).toBeNull();
  });
});
