import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { defaultSendgridApiKey } from '../../../sandbox/sendgrid/sendgrid-sandbox.ts';
import { sendgridMail, startMessagingSandbox, startWebhookListener, type ReceivedRequest } from './support/messaging-kit.ts';

type Event = { email: string; event: string; timestamp: number; sg_message_id: string; sg_event_id: string; outbox_id?: string; category?: unknown };

let sandbox: RunningSandbox;
let sendgrid: ReturnType<typeof sendgridMail>;
let listener: Awaited<ReturnType<typeof startWebhookListener>>;
const verifier = new EventWebhook();

async function configure(body: Record<string, unknown>, path = '/v3/user/webhooks/event/settings') {
  const [response] = await sendgrid.client.request({ method: 'PATCH', url: path, body });
  return response.body as Record<string, unknown>;
}

async function publicKey(): Promise<string> {
  const [response] = await sendgrid.client.request({ method: 'GET', url: '/v3/user/webhooks/event/settings/signed' });
  return (response.body as { public_key: string }).public_key;
}

function verifies(key: string, request: ReceivedRequest, body = request.body): boolean {
  const signature = request.headers[EventWebhookHeader.SIGNATURE().toLowerCase()] as string;
  const timestamp = request.headers[EventWebhookHeader.TIMESTAMP().toLowerCase()] as string;
  return verifier.verifySignature(verifier.convertPublicKeyToECDSA(key), body, signature, timestamp);
}

async function sendTo(to: string[]): Promise<string> {
  const [response] = await sendgrid.mail.send({ to, from: 'winkel@example.nl', subject: 'Factuur', text: 'Je factuur staat klaar.', customArgs: { outbox_id: 'ob_9' }, categories: ['invoice'] });
  await sandbox.ctx.webhooks.flush();
  return response.headers['x-message-id'] as string;
}

const events = (requests: ReceivedRequest[]) => requests.flatMap((request) => JSON.parse(request.body) as Event[]);

beforeAll(async () => {
  sandbox = await startMessagingSandbox();
  sendgrid = sendgridMail(sandbox.url, defaultSendgridApiKey);
  listener = await startWebhookListener();
});
afterAll(async () => {
  await sandbox.stop();
  await listener.close();
});
beforeEach(async () => {
  sandbox.reset();
  listener.received.length = 0;
  await configure({ enabled: true, url: listener.url('/webhooks/sendgrid') });
});

describe('SendGrid Event Webhook', () => {
  it('keeps its settings as SendGrid API has them', async () => {
    const updated = await configure({ open: true, bounce: false });
    expect(updated).toMatchObject({ enabled: true, url: listener.url('/webhooks/sendgrid'), open: true, bounce: false, delivered: true, dropped: true });
    const [response] = await sendgrid.client.request({ method: 'GET', url: '/v3/user/webhooks/event/settings' });
    expect(response.body).toEqual(updated);
  });

  it('posts processed/delivered, bounce and dropped as one signed JSON array that @sendgrid/eventwebhook verifies', async () => {
    const messageId = await sendTo(['klant@example.nl', 'bounce@example.nl', 'dropped@example.nl']);
    expect(listener.received).toHaveLength(1);
    const [request] = listener.received;
    expect(request!.headers['content-type']).toBe('application/json');
    expect(verifies(await publicKey(), request!)).toBe(true);
    expect(events(listener.received).map((event) => `${event.email}:${event.event}`)).toEqual([
      'klant@example.nl:processed',
      'klant@example.nl:delivered',
      'bounce@example.nl:processed',
      'bounce@example.nl:bounce',
      'dropped@example.nl:dropped',
    ]);
    for (const event of events(listener.received)) {
      expect(event.sg_message_id.split('.')[0]).toBe(messageId);
      expect(event).toMatchObject({ timestamp: Math.floor(Date.parse('2026-03-01T09:00:00Z') / 1000), outbox_id: 'ob_9', category: 'invoice' });
    }
  });

  it('signs with the sandbox clock as timestamp, and a changed payload no longer verifies', async () => {
    await sandbox.advance(new Date('2026-04-01T00:00:00Z'));
    await sendTo(['klant@example.nl']);
    const [request] = listener.received;
    expect(request!.headers['x-twilio-email-event-webhook-timestamp']).toBe(String(Date.parse('2026-04-01T00:00:00Z') / 1000));
    expect(verifies(await publicKey(), request!)).toBe(true);
    const forged = request!.body.replace('klant@example.nl', 'boef@example.nl');
    expect(verifies(await publicKey(), request!, forged)).toBe(false);
  });

  it('posts only the event types switched on, and nothing when disabled', async () => {
    await configure({ processed: false });
    await sendTo(['klant@example.nl']);
    expect(events(listener.received).map((event) => event.event)).toEqual(['delivered']);
    await configure({ enabled: false });
    await sendTo(['klant@example.nl']);
    expect(listener.received).toHaveLength(1);
  });

  it('sends no signature once signing is switched off', async () => {
    expect(await configure({ enabled: false }, '/v3/user/webhooks/event/settings/signed')).toEqual({ public_key: '' });
    await sendTo(['klant@example.nl']);
    expect(listener.received[0]!.headers['x-twilio-email-event-webhook-signature']).toBeUndefined();
    expect((await configure({ enabled: true }, '/v3/user/webhooks/event/settings/signed')).public_key).toMatch(/^MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/);
  });

  it('refuses settings with a bad URL in SendGrid shape', async () => {
    const error = await configure({ url: 'ftp://example.nl' }).then(
      () => null,
      (failure: { code: number; response: { body: unknown } }) => failure,
    );
    expect(error?.code).toBe(400);
    expect(error?.response.body).toEqual({ errors: [expect.objectContaining({ field: 'url' })] });
  });
});
