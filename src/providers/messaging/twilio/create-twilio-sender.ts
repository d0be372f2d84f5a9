import { RecurError } from '../../../shared/errors.ts';
import type { OutgoingSms, SendResult, SmsSender } from '../messaging.ts';
import { createTwilioClient, type TwilioConnection } from './create-twilio-client.ts';
import { classifyTwilioFailure } from './twilio-send-failures.ts';

export type TwilioSenderOptions = TwilioConnection & {
  /** An E.164 number of the account, a short code or an alphanumeric sender id. */
  from: string;
};

/**
 * How far back findSent looks: the message it looks for was sent moments before a crash, so it
 * is among the newest to that number; a bounded page keeps a busy number from costing a scan.
 */
const FIND_SENT_LIMIT = 50;

/** SMS through the official twilio SDK. */
export function createTwilioSender({ from, ...connection }: TwilioSenderOptions): SmsSender {
  // Made at the first send, so that the SDK loads then and not at start (twilio-sdk.ts).
  let created: ReturnType<typeof createTwilioClient> | undefined;
  const client = () => (created ??= createTwilioClient(connection));

  return {
    async send(sms: OutgoingSms): Promise<SendResult> {
      try {
        const message = await client().messages.create({ to: sms.to, from, body: sms.body, ...(sms.statusCallbackUrl ? { statusCallback: sms.statusCallbackUrl } : {}) });
        return { kind: 'sent', providerMessageId: message.sid };
      } catch (error) {
        return classifyTwilioFailure(error);
      }
    },

    /**
     * Filters on date_created rather than asking Twilio for DateSent>: a message still queued at
     * the crash has no date_sent yet and would be missed. The body must match exactly. Twilio
     * lists newest first and writes dates to the second, so `since` is cut to its second (a
     * message made in the same second counts). A failure is thrown: without an answer the
     * caller cannot tell "not sent" from "sent", and must not guess.
     */
    async findSent(to: string, body: string, since: Date): Promise<string | null> {
      try {
        const sinceSecond = Math.floor(since.getTime() / 1000) * 1000;
        const messages = await client().messages.list({ to, limit: FIND_SENT_LIMIT, pageSize: FIND_SENT_LIMIT });
        const match = messages.find((message) => message.body === body && message.dateCreated.getTime() >= sinceSecond);
        return match?.sid ?? null;
      } catch (error) {
        throw new RecurError('provider_failure', `Twilio could not list the messages sent (${failureOf(error)})`, { cause: error });
      }
    },
  };
}

function failureOf(error: unknown): string {
  const { status, code } = error as { status?: unknown; code?: unknown };
  if (typeof status === 'number') return typeof code === 'number' ? `${status}, ${code}` : String(status);
  return error instanceof Error ? (typeof code === 'string' ? code : error.message) : 'unknown failure';
}
