import type { MailSendBody } from './mail-send-rules.ts';

export type RecipientStatus = 'scheduled' | 'processed' | 'delivered' | 'bounced' | 'dropped';

/** One envelope of a send (one personalization): what the inbox shows. */
export type StoredMail = {
  id: string;
  message_id: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string | null;
  text: string | null;
  html: string | null;
  categories: string[];
  custom_args: Record<string, string>;
  template_id: string | null;
  sent_at: string;
  status: RecipientStatus;
  recipients: { email: string; status: RecipientStatus }[];
};

/** Worst first: the status of an envelope is the first of these any of its recipients has. */
const statusPrecedence: RecipientStatus[] = ['scheduled', 'dropped', 'bounced', 'processed', 'delivered'];

export function summarize(mail: StoredMail): void {
  mail.status = statusPrecedence.find((status) => mail.recipients.some((r) => r.status === status)) ?? 'delivered';
}

/**
 * Turns an accepted send into one envelope per personalization, as SendGrid does: a
 * personalization's from, subject, custom_args and send_at override the message's own.
 */
export function envelopesOf(body: MailSendBody, messageId: string, nowSeconds: number): { mail: StoredMail; dueAt: number }[] {
  const text = body.content?.find((c) => c.type === 'text/plain')?.value ?? null;
  const html = body.content?.find((c) => c.type === 'text/html')?.value ?? null;
  return body.personalizations.map((personalization, index) => {
    const dueAt = Math.max(personalization.send_at ?? body.send_at ?? nowSeconds, nowSeconds);
    const emails = (list: { email: string }[] | undefined) => (list ?? []).map((a) => a.email);
    const mail: StoredMail = {
      id: `${messageId}.${index}`,
      message_id: messageId,
      from: (personalization.from ?? body.from).email,
      to: emails(personalization.to),
      cc: emails(personalization.cc),
      bcc: emails(personalization.bcc),
      subject: personalization.subject ?? body.subject ?? null,
      text,
      html,
      categories: body.categories ?? [],
      custom_args: { ...body.custom_args, ...personalization.custom_args },
      template_id: body.template_id ?? null,
      sent_at: new Date(dueAt * 1000).toISOString(),
      status: 'scheduled',
      recipients: [...emails(personalization.to), ...emails(personalization.cc), ...emails(personalization.bcc)].map((email) => ({ email, status: 'scheduled' })),
    };
    return { mail, dueAt };
  });
}

/** The store as plain data: every envelope, and the send time of each one not yet played out. */
export type MailStoreSnapshot = { mails: StoredMail[]; scheduled: { id: string; dueAt: number }[] };

/** Every envelope the sandbox accepted, and the ones waiting for their send_at. */
export class MailStore {
  private readonly mails: StoredMail[] = [];
  private readonly scheduled = new Map<string, number>();

  add(mail: StoredMail, dueAt: number): void {
    this.mails.push(mail);
    this.scheduled.set(mail.id, dueAt);
  }

  get(id: string): StoredMail | undefined {
    return this.mails.find((mail) => mail.id === id || mail.message_id === id);
  }

  /** Newest first, as an inbox reads. */
  list(filter: { messageId?: string; to?: string } = {}): StoredMail[] {
    return this.mails
      .filter((mail) => (!filter.messageId || mail.message_id === filter.messageId) && (!filter.to || mail.recipients.some((r) => r.email === filter.to)))
      .reverse();
  }

  nextDueAt(): Date | null {
    const earliest = Math.min(...this.scheduled.values());
    return Number.isFinite(earliest) ? new Date(earliest * 1000) : null;
  }

  /** Takes the envelopes whose send time has come, in the order they were accepted. */
  takeDue(nowSeconds: number): StoredMail[] {
    const due = this.mails.filter((mail) => (this.scheduled.get(mail.id) ?? Infinity) <= nowSeconds);
    for (const mail of due) this.scheduled.delete(mail.id);
    return due;
  }

  reset(): void {
    this.mails.length = 0;
    this.scheduled.clear();
  }

  snapshot(): MailStoreSnapshot {
    return { mails: structuredClone(this.mails), scheduled: [...this.scheduled].map(([id, dueAt]) => ({ id, dueAt })) };
  }

  /** In place: the routes hold this store, not a copy of it. */
  restore(snapshot: MailStoreSnapshot): void {
    this.reset();
    this.mails.push(...structuredClone(snapshot.mails));
    for (const { id, dueAt } of snapshot.scheduled) this.scheduled.set(id, dueAt);
  }
}
