import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import type { EmailSender, OutgoingEmail, SendResult } from '../messaging.ts';
import { classifySendgridFailure } from './sendgrid-send-failures.ts';

export type SendgridSenderOptions = {
  apiKey: string;
  /** "Shop <shop@example.nl>" or a bare address; the SDK splits name and address. */
  from: string;
  /** Another base URL than SendGrid's (the sandbox: http://127.0.0.1:12111/sendgrid). */
  apiBase?: string;
};

/** A slow SendGrid must not hold a delivery claim for long; the outbox retries later instead. */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * E-mail through the official @sendgrid/mail. Each sender has its own MailService and Client:
 * the SDK's default export is a process-wide singleton, and two senders (or a test next to
 * production wiring) must not overwrite each other's key or base URL.
 */
export function createSendgridSender({ apiKey, from, apiBase }: SendgridSenderOptions): EmailSender {
  const client = new Client();
  // setApiKey resets the base URL to SendGrid's own, so the override comes after it.
  client.setApiKey(apiKey);
  if (apiBase) client.setDefaultRequest('baseUrl', apiBase);
  const service = new MailService();
  service.setClient(client);
  // Sets axios' timeout on this client only; the whole request, connect to answer, must fit.
  service.setTimeout(REQUEST_TIMEOUT_MS);

  return {
    async send(mail: OutgoingEmail): Promise<SendResult> {
      try {
        const [response] = await service.send({
          to: mail.to,
          from,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          // Comes back as a top-level `outbox_id` in every Event Webhook event for this mail.
          customArgs: { outbox_id: mail.reference },
          categories: [mail.category],
        });
        return { kind: 'sent', providerMessageId: messageIdOf(response.headers) };
      } catch (error) {
        return classifySendgridFailure(error);
      }
    },
  };
}

/**
 * SendGrid answers 202 with X-Message-Id. Without it the mail was still accepted: answering
 * 'retry' would send it twice, so the id is empty and callbacks match the row by `outbox_id`.
 */
function messageIdOf(headers: Record<string, unknown>): string {
  const id = headers['x-message-id'];
  return typeof id === 'string' ? id : '';
}
