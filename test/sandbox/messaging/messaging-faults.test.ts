import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { defaultSendgridApiKey } from '../../../sandbox/sendgrid/sendgrid-sandbox.ts';
import { defaultTwilioCredentials } from '../../../sandbox/twilio/twilio-sandbox.ts';
import { sendgridMail, startMessagingSandbox, twilioClient } from './support/messaging-kit.ts';

let sandbox: RunningSandbox;

async function setFaults(requests: Record<string, unknown>[]): Promise<void> {
  const response = await fetch(`${sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });
  expect(response.status).toBe(200);
}

const mail = { to: 'klant@example.nl', from: 'winkel@example.nl', subject: 'Hoi', text: 'Hoi' };
const sms = { to: '+31612345678', from: '+15005550006', body: 'Hoi' };

beforeAll(async () => {
  sandbox = await startMessagingSandbox();
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

describe('request faults on the messaging providers', () => {
  it('gives the SendGrid SDK a 500 in SendGrid error shape, and stores nothing', async () => {
    await setFaults([{ provider: 'sendgrid', errorRate: 1 }]);
    const error = await sendgridMail(sandbox.url, defaultSendgridApiKey).mail.send(mail).then(
      () => null,
      (failure: { code: number; response: { body: unknown } }) => failure,
    );
    expect(error?.code).toBe(500);
    expect(error?.response.body).toEqual({ errors: [{ message: 'internal server error', field: null }] });
    const inbox = (await (await fetch(`${sandbox.url}/sandbox/mail`)).json()) as { data: unknown[] };
    expect(inbox.data).toEqual([]);
  });

  it('gives the twilio SDK a 429 with code 20429 and Retry-After, on the route it names only', async () => {
    await setFaults([{ provider: 'twilio', route: 'POST /twilio/2010-04-01/Accounts/:AccountSid/Messages.json', errorRate: 1, errorStatus: 429, retryAfterSeconds: 7 }]);
    const client = twilioClient(sandbox.url, defaultTwilioCredentials.accountSid, defaultTwilioCredentials.authToken);
    const error = await client.messages.create(sms).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 429, code: 20429 });
    expect(client.httpClient.lastResponse?.headers['retry-after']).toBe('7');
    expect(await client.messages.list()).toEqual([]);
  });

  it('leaves the other provider and the sandbox inboxes alone', async () => {
    await setFaults([{ provider: 'twilio', errorRate: 1 }]);
    const [response] = await sendgridMail(sandbox.url, defaultSendgridApiKey).mail.send(mail);
    expect(response.statusCode).toBe(202);
    expect((await fetch(`${sandbox.url}/sandbox/sms`)).status).toBe(200);
  });
});
