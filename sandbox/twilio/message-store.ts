import { randomBytes } from 'node:crypto';
import { countSegments } from './sms-segments.ts';

export type MessageStatus = 'accepted' | 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export type SmsRecord = {
  sid: string;
  accountSid: string;
  from: string | null;
  to: string;
  body: string;
  status: MessageStatus;
  messagingServiceSid: string | null;
  numMedia: number;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
  errorCode: number | null;
  errorMessage: string | null;
  statusCallback: string | null;
};

export function newSid(prefix: 'SM' | 'MG' | 'AC'): string {
  return prefix + randomBytes(16).toString('hex');
}

/** Twilio writes dates as RFC 2822 in GMT: "Thu, 24 Aug 2023 05:01:45 +0000". */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** The Message resource exactly as Twilio's 2010-04-01 API returns it (api.v2010.account.message). */
export function messageJson(record: SmsRecord) {
  const uri = `/2010-04-01/Accounts/${record.accountSid}/Messages/${record.sid}.json`;
  return {
    account_sid: record.accountSid,
    api_version: '2010-04-01',
    body: record.body,
    date_created: rfc2822(record.dateCreated),
    date_sent: record.dateSent ? rfc2822(record.dateSent) : null,
    date_updated: rfc2822(record.dateUpdated),
    direction: 'outbound-api' as const,
    error_code: record.errorCode,
    error_message: record.errorMessage,
    from: record.from,
    messaging_service_sid: record.messagingServiceSid,
    num_media: String(record.numMedia),
    num_segments: String(countSegments(record.body)),
    price: null,
    price_unit: 'USD',
    sid: record.sid,
    status: record.status,
    subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
    to: record.to,
    uri,
  };
}

export type MessageJson = ReturnType<typeof messageJson>;

/** Every message the sandbox accepted, and the numbers that opted out. */
export class MessageStore {
  private readonly records: SmsRecord[] = [];
  private readonly optedOut = new Set<string>();

  add(record: SmsRecord): void {
    this.records.push(record);
  }

  get(accountSid: string, sid: string): SmsRecord | undefined {
    return this.records.find((record) => record.sid === sid && record.accountSid === accountSid);
  }

  find(sid: string): SmsRecord | undefined {
    return this.records.find((record) => record.sid === sid);
  }

  /** Newest first, as Twilio lists messages. */
  list(filter: { accountSid?: string; to?: string; from?: string } = {}): SmsRecord[] {
    return this.records
      .filter((r) => (!filter.accountSid || r.accountSid === filter.accountSid) && (!filter.to || r.to === filter.to) && (!filter.from || r.from === filter.from))
      .reverse();
  }

  optOut(number: string): void {
    this.optedOut.add(number);
  }

  optIn(number: string): void {
    this.optedOut.delete(number);
  }

  isOptedOut(number: string): boolean {
    return this.optedOut.has(number);
  }

  optedOutNumbers(): string[] {
    return [...this.optedOut];
  }

  reset(): void {
    this.records.length = 0;
    this.optedOut.clear();
  }

  /** Oldest first, as they were added; copies, so later status changes do not reach them. */
  snapshot(): { records: SmsRecord[]; optedOut: string[] } {
    return { records: this.records.map((record) => ({ ...record })), optedOut: this.optedOutNumbers() };
  }

  /** In place: the routes hold this store, not a copy of it. */
  restore(snapshot: { records: SmsRecord[]; optedOut: string[] }): void {
    this.reset();
    this.records.push(...snapshot.records.map((record) => ({ ...record })));
    for (const number of snapshot.optedOut) this.optedOut.add(number);
  }
}
