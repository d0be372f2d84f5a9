import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { startSandbox, type RunningSandbox } from '../../../../sandbox/core/start-sandbox.ts';
import type { SandboxProviderFactory } from '../../../../sandbox/core/sandbox-provider.ts';
import { sendgridSandbox } from '../../../../sandbox/sendgrid/sendgrid-sandbox.ts';
import { twilioSandbox } from '../../../../sandbox/twilio/twilio-sandbox.ts';

export function startMessagingSandbox(
  providers: readonly SandboxProviderFactory[] = [sendgridSandbox, twilioSandbox],
  options: { stateFile?: string } = {},
): Promise<RunningSandbox> {
  // Short retry waits: a test that lets a delivery fail should not wait seconds for it.
  return startSandbox({ providers, start: new Date('2026-03-01T09:00:00Z'), webhookRetryDelaysMs: [20, 40], ...options });
}

/** The official @sendgrid/mail service; only its base URL differs from production. */
export function sendgridMail(sandboxUrl: string, apiKey: string): { mail: MailService; client: Client } {
  const client = new Client();
  client.setApiKey(apiKey);
  client.setDefaultRequest('baseUrl', `${sandboxUrl}/sendgrid`);
  const mail = new MailService();
  mail.setClient(client);
  return { mail, client };
}

type RequestOptions<TData> = RequestClient.RequestOptions<TData>;

/** The stock RequestClient, with api.twilio.com rewritten to the sandbox: nothing else changes. */
class SandboxRequestClient extends twilio.RequestClient {
  constructor(private readonly twilioBaseUrl: string) {
    super();
  }

  override request<TData>(opts: RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace('https://api.twilio.com', this.twilioBaseUrl) });
  }
}

export function twilioClient(sandboxUrl: string, accountSid: string, authToken: string): twilio.Twilio {
  return twilio(accountSid, authToken, { httpClient: new SandboxRequestClient(`${sandboxUrl}/twilio`) });
}

export type ReceivedRequest = { path: string; headers: IncomingHttpHeaders; body: string };

/** A plain node:http endpoint that records what the sandbox posts to it and answers `status`. */
export async function startWebhookListener(status = 200): Promise<{ url: (path: string) => string; received: ReceivedRequest[]; close: () => Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = status;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
