import { z } from 'zod';
import type { MessageStatus, MessageStore, SmsRecord } from './message-store.ts';

const statuses = ['accepted', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'] as const satisfies readonly MessageStatus[];

const isoDate = z.iso.datetime().transform((text) => new Date(text));

const smsRecord = z.object({
  sid: z.string(),
  accountSid: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  body: z.string(),
  status: z.enum(statuses),
  messagingServiceSid: z.string().nullable(),
  numMedia: z.number().int().min(0),
  dateCreated: isoDate,
  dateUpdated: isoDate,
  dateSent: isoDate.nullable(),
  errorCode: z.number().int().nullable(),
  errorMessage: z.string().nullable(),
  statusCallback: z.string().nullable(),
});

const snapshotSchema = z.object({ messages: z.array(smsRecord), optedOut: z.array(z.string()) });

/**
 * What the Twilio emulator writes to the sandbox's state file: messages (dates as ISO text) and
 * opted-out numbers. Not the credentials: they are fixed or configured, and the configured ones
 * must win over whatever an earlier run used. Sids are random, so there is no counter to keep.
 */
export type TwilioSnapshot = z.input<typeof snapshotSchema>;

export function snapshotTwilio(store: MessageStore): TwilioSnapshot {
  const { records, optedOut } = store.snapshot();
  const messages = records.map((record) => ({
    ...record,
    dateCreated: record.dateCreated.toISOString(),
    dateUpdated: record.dateUpdated.toISOString(),
    dateSent: record.dateSent?.toISOString() ?? null,
  }));
  return { messages, optedOut };
}

/** Replaces the messages and opt-outs with a snapshot's, all or nothing. */
export function restoreTwilio(store: MessageStore, snapshot: unknown): void {
  const parsed = snapshotSchema.safeParse(snapshot);
  if (!parsed.success) throw new Error(`cannot restore the Twilio sandbox from this snapshot:\n${z.prettifyError(parsed.error)}`);
  const records: SmsRecord[] = parsed.data.messages;
  store.restore({ records, optedOut: parsed.data.optedOut });
}
