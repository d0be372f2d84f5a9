import { createPrivateKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { eventTypes, type EventType, type EventWebhookSettings, type EventWebhookSnapshot } from './event-webhook.ts';
import type { MailStoreSnapshot, RecipientStatus, StoredMail } from './mail-store.ts';
import type { SendgridState } from './sendgrid-state.ts';

/** What the SendGrid emulator writes to the sandbox's state file. */
export type SendgridSnapshot = { mails: MailStoreSnapshot; eventWebhook: EventWebhookSnapshot };

const recipientStatus = z.enum(['scheduled', 'processed', 'delivered', 'bounced', 'dropped'] satisfies RecipientStatus[]);

const storedMail: z.ZodType<StoredMail> = z.object({
  id: z.string(),
  message_id: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  subject: z.string().nullable(),
  text: z.string().nullable(),
  html: z.string().nullable(),
  categories: z.array(z.string()),
  custom_args: z.record(z.string(), z.string()),
  template_id: z.string().nullable(),
  sent_at: z.iso.datetime(),
  status: recipientStatus,
  recipients: z.array(z.object({ email: z.string(), status: recipientStatus })),
});

const settings: z.ZodType<EventWebhookSettings> = z.object({
  enabled: z.boolean(),
  url: z.string(),
  ...(Object.fromEntries(eventTypes.map((type) => [type, z.boolean()])) as Record<EventType, z.ZodBoolean>),
});

// Parsed into a key here, so a snapshot with a broken key fails before any state is replaced.
const signingKey = z.string().transform((pem, ctx): KeyObject => {
  try {
    const key = createPrivateKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return key;
    ctx.addIssue({ code: 'custom', message: 'the signing key is not an ECDSA P-256 key' });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `the signing key is not a PEM private key (${(error as Error).message})` });
  }
  return z.NEVER;
});

const snapshotSchema = z.object({
  mails: z
    .object({ mails: z.array(storedMail), scheduled: z.array(z.object({ id: z.string(), dueAt: z.number().int() })) })
    .refine(({ mails, scheduled }) => scheduled.every(({ id }) => mails.some((mail) => mail.id === id)), 'every scheduled id must be a stored mail'),
  eventWebhook: z.object({ settings, signed: z.boolean(), privateKey: signingKey, configuredUrl: z.string().nullable() }),
});

export function snapshotSendgrid(state: SendgridState): SendgridSnapshot {
  return { mails: state.store.snapshot(), eventWebhook: state.webhook.snapshot() };
}

/**
 * Replaces the mail and the Event Webhook with a snapshot's, all or nothing. Mail already due by
 * the restored clock goes out at the next clock move or send: restoring posts no webhooks.
 */
export function restoreSendgrid(state: SendgridState, snapshot: unknown): void {
  const parsed = snapshotSchema.safeParse(snapshot);
  if (!parsed.success) throw new Error(`cannot restore the SendGrid sandbox from this snapshot:\n${z.prettifyError(parsed.error)}`);
  state.store.restore(parsed.data.mails);
  state.webhook.restore(parsed.data.eventWebhook);
}
