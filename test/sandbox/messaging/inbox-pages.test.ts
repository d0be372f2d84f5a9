import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { defaultSendgridApiKey } from '../../../sandbox/sendgrid/sendgrid-sandbox.ts';
import { defaultTwilioCredentials } from '../../../sandbox/twilio/twilio-sandbox.ts';
import { sendgridMail, startMessagingSandbox, twilioClient } from './support/messaging-kit.ts';

const attack = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

let sandbox: RunningSandbox;

async function page(path: string): Promise<{ status: number; csp: string | null; type: string | null; html: string }> {
  const response = await fetch(`${sandbox.url}${path}`);
  return { status: response.status, csp: response.headers.get('content-security-policy'), type: response.headers.get('content-type'), html: await response.text() };
}

beforeAll(async () => {
  sandbox = await startMessagingSandbox();
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

describe('the sandbox inboxes a person looks at during a demo', () => {
  it('shows mail with everything the sender wrote escaped, the HTML body in a script-less iframe', async () => {
    await sendgridMail(sandbox.url, defaultSendgridApiKey).mail.send({ to: 'klant@example.nl', from: 'winkel@example.nl', subject: attack, text: attack, html: `<p>hi</p>${attack}` });
    for (const path of ['/sandbox/mail.html', '/sandbox/mail?format=html']) {
      const { status, csp, type, html } = await page(path);
      expect(status).toBe(200);
      expect(type).toContain('text/html');
      expect(csp).toContain("default-src 'none'");
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img');
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(html).toMatch(/<iframe sandbox [^>]*srcdoc="&lt;p&gt;hi&lt;\/p&gt;/);
    }
  });

  it('shows SMS escaped, with opted-out numbers', async () => {
    const client = twilioClient(sandbox.url, defaultTwilioCredentials.accountSid, defaultTwilioCredentials.authToken);
    await client.messages.create({ to: '+31612345678', from: '+15005550006', body: attack });
    await fetch(`${sandbox.url}/sandbox/sms/opt-out`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number: '+31687654321' }) });
    const { status, csp, html } = await page('/sandbox/sms.html');
    expect(status).toBe(200);
    expect(csp).toContain("default-src 'none'");
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('+31687654321');
    expect((await page('/sandbox/sms?format=html')).html).toBe(html);
  });

  it('answers 404 for unknown mail and SMS, and 400 for an opt-out without a valid number', async () => {
    expect((await page('/sandbox/mail/nope')).status).toBe(404);
    expect((await page('/sandbox/sms/SMnope')).status).toBe(404);
    const response = await fetch(`${sandbox.url}/sandbox/sms/opt-out`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number: '06-12345678' }) });
    expect(response.status).toBe(400);
  });

  it('describes keys, URLs and magic addresses for `recur sandbox`', () => {
    const { providers } = sandbox.describe() as { providers: Record<string, Record<string, unknown>> };
    expect(providers.sendgrid).toMatchObject({ baseUrl: `${sandbox.url}/sendgrid`, apiKey: defaultSendgridApiKey, inbox: { html: `${sandbox.url}/sandbox/mail.html` } });
    expect(providers.twilio).toMatchObject({ baseUrl: `${sandbox.url}/twilio`, accountSid: defaultTwilioCredentials.accountSid, authToken: defaultTwilioCredentials.authToken });
  });
});
