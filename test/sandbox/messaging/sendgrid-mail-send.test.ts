import type { MailDataRequired } from '@sendgrid/mail';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { defaultSendgridApiKey } from '../../../sandbox/sendgrid/sendgrid-sandbox.ts';
import type { StoredMail } from '../../../sandbox/sendgrid/mail-store.ts';
import { sendgridMail, startMessagingSandbox } from './support/messaging-kit.ts';

type SdkError = { code: number; response?: { body: { errors: { message: string; field: string | null }[] } } };

let sandbox: RunningSandbox;
let mail: ReturnType<typeof sendgridMail>['mail'];

const notice: MailDataRequired = {
  to: 'klant@example.nl',
  from: { email: 'winkel@example.nl', name: 'De Sportwinkel' },
  subject: 'Je proefperiode eindigt over 3 dagen',
  text: 'Hallo! Je proefperiode eindigt op 4 maart.',
  html: '<p>Hallo! Je proefperiode eindigt op <b>4 maart</b>.</p>',
  categories: ['trial_will_end'],
  customArgs: { outbox_id: 'ob_123' },
};

async function sendFailure(data: MailDataRequired, service = mail): Promise<SdkError> {
  return service.send(data).then(
    () => {
      throw new Error('expected the sandbox to refuse the mail');
    },
    (error: SdkError) => error,
  );
}

async function inbox(query = ''): Promise<StoredMail[]> {
  return ((await (await fetch(`${sandbox.url}/sandbox/mail${query}`)).json()) as { data: StoredMail[] }).data;
}

beforeAll(async () => {
  sandbox = await startMessagingSandbox();
  mail = sendgridMail(sandbox.url, defaultSendgridApiKey).mail;
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

describe('SendGrid mail send through @sendgrid/mail', () => {
  it('accepts text+html mail with 202 and an X-Message-Id, and keeps it for the inbox', async () => {
    const [response] = await mail.send(notice);
    expect(response.statusCode).toBe(202);
    const messageId = response.headers['x-message-id'] as string;
    expect(messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const [stored] = await inbox(`?message_id=${messageId}`);
    expect(stored).toMatchObject({
      message_id: messageId,
      from: 'winkel@example.nl',
      to: ['klant@example.nl'],
      subject: notice.subject,
      text: notice.text,
      html: notice.html,
      categories: ['trial_will_end'],
      custom_args: { outbox_id: 'ob_123' },
      sent_at: '2026-03-01T09:00:00.000Z',
      status: 'delivered',
    });
    const single = (await (await fetch(`${sandbox.url}/sandbox/mail/${stored!.id}`)).json()) as StoredMail;
    expect(single.id).toBe(stored!.id);
  });

  it('refuses a mail without from with 400 and SendGrid error list', async () => {
    const error = await sendFailure({ ...notice, from: undefined } as unknown as MailDataRequired);
    expect(error.code).toBe(400);
    expect(error.response?.body.errors).toContainEqual(expect.objectContaining({ field: 'from' }));
  });

  it('refuses an invalid address, naming the field', async () => {
    const error = await sendFailure({ ...notice, to: 'klant-at-example.nl' });
    expect(error.code).toBe(400);
    expect(error.response?.body.errors).toEqual([{ field: 'personalizations.0.to.0.email', message: 'Does not contain a valid address.' }]);
  });

  it('refuses empty content and a missing subject, each as its own entry', async () => {
    const error = await sendFailure({ to: 'klant@example.nl', from: 'winkel@example.nl', content: [{ type: 'text/plain', value: '' }] } as MailDataRequired);
    expect(error.code).toBe(400);
    const fields = error.response?.body.errors.map((entry) => entry.field);
    expect(fields).toEqual(expect.arrayContaining(['content.0.value', 'subject']));
    expect(await inbox()).toEqual([]);
  });

  it('refuses a wrong API key with 401 before looking at the body', async () => {
    const stranger = sendgridMail(sandbox.url, 'SG.someone-else.key').mail;
    const error = await sendFailure({ ...notice, to: 'not-an-address' }, stranger);
    expect(error.code).toBe(401);
    expect(error.response?.body.errors[0]).toMatchObject({ field: null, message: expect.stringContaining('authorization grant is invalid') });
    expect(await inbox()).toEqual([]);
  });

  it('answers 200 and sends nothing in sandbox mode, as SendGrid does', async () => {
    const [response] = await mail.send({ ...notice, mailSettings: { sandboxMode: { enable: true } } });
    expect(response.statusCode).toBe(200);
    expect(await inbox()).toEqual([]);
  });

  it('holds mail with a future send_at until the sandbox clock reaches it', async () => {
    const sendAt = Math.floor(new Date('2026-03-01T12:00:00Z').getTime() / 1000);
    await mail.send({ ...notice, sendAt });
    expect((await inbox())[0]).toMatchObject({ status: 'scheduled', sent_at: '2026-03-01T12:00:00.000Z' });
    await sandbox.advance(new Date('2026-03-01T13:00:00Z'));
    expect((await inbox())[0]?.status).toBe('delivered');
  });

  it('refuses a send_at more than 72 hours ahead', async () => {
    const error = await sendFailure({ ...notice, sendAt: Math.floor(new Date('2026-03-05T09:00:00Z').getTime() / 1000) });
    expect(error.response?.body.errors).toContainEqual(expect.objectContaining({ field: 'send_at' }));
  });
});
