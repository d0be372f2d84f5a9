import type { Queryable } from '../database.ts';

export type Locale = 'nl' | 'en';

export type CustomerRecord = {
  id: string;
  externalId: string;
  email: string;
  name: string | null;
  phone: string | null;
  locale: Locale;
  banned: boolean;
  bannedReason: string | null;
  bannedAt: Date | null;
  /** IANA zone for dates in notices and SMS quiet hours; null: the configured default. */
  timeZone: string | null;
  smsConsentAt: Date | null;
  smsConsentWithdrawnAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

type Preferences = 'timeZone' | 'smsConsentAt' | 'smsConsentWithdrawnAt';
export type NewCustomer = Pick<CustomerRecord, 'externalId' | 'email' | 'name' | 'phone' | 'locale'> & Partial<Pick<CustomerRecord, Preferences>>;
export type CustomerChanges = Partial<Pick<CustomerRecord, 'email' | 'name' | 'phone' | 'locale' | 'banned' | 'bannedReason' | 'bannedAt' | Preferences>>;

/** SMS may be sent while consent was recorded after the last withdrawal (a STOP or the shop's word). */
export const SMS_CONSENT_COUNTS_SQL = '(sms_consent_at IS NOT NULL AND (sms_consent_withdrawn_at IS NULL OR sms_consent_at > sms_consent_withdrawn_at))';

/** The same rule as SMS_CONSENT_COUNTS_SQL, on a record in hand. */
export const hasSmsConsent = (customer: Pick<CustomerRecord, 'smsConsentAt' | 'smsConsentWithdrawnAt'>): boolean =>
  customer.smsConsentAt !== null && (customer.smsConsentWithdrawnAt === null || customer.smsConsentAt > customer.smsConsentWithdrawnAt);

type CustomerRow = {
  id: string;
  external_id: string;
  email: string;
  name: string | null;
  phone: string | null;
  locale: Locale;
  banned: boolean;
  banned_reason: string | null;
  banned_at: Date | null;
  time_zone: string | null;
  sms_consent_at: Date | null;
  sms_consent_withdrawn_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = 'id, external_id, email, name, phone, locale, banned, banned_reason, banned_at, time_zone, sms_consent_at, sms_consent_withdrawn_at, created_at, updated_at';

const toRecord = (row: CustomerRow): CustomerRecord => ({
  id: row.id,
  externalId: row.external_id,
  email: row.email,
  name: row.name,
  phone: row.phone,
  locale: row.locale,
  banned: row.banned,
  bannedReason: row.banned_reason,
  bannedAt: row.banned_at,
  timeZone: row.time_zone,
  smsConsentAt: row.sms_consent_at,
  smsConsentWithdrawnAt: row.sms_consent_withdrawn_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * Takes the customer's row for the rest of the transaction. Every write that may record an event
 * for the shop takes it first, before any subscription, payment, link or dispute row: the event's
 * sequence and the recorded entitlement live on this row, so a write that took another row first
 * and this one last would deadlock with one that took them the other way round. Taking it again in
 * the same transaction waits for nothing.
 */
export async function lockCustomerForWrite(tx: Queryable, customerId: string): Promise<void> {
  await tx.query('SELECT 1 FROM customers WHERE id = $1 FOR UPDATE', [customerId], { name: 'customers_lock_for_write' });
}

/** Throws a unique violation (customers_external_id_key) when the shop's id is taken. */
export async function insertCustomer(tx: Queryable, customer: NewCustomer, now: Date): Promise<CustomerRecord> {
  const result = await tx.query<CustomerRow>(
    `INSERT INTO customers (external_id, email, name, phone, locale, time_zone, sms_consent_at, sms_consent_withdrawn_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING ${COLUMNS}`,
    [customer.externalId, customer.email, customer.name, customer.phone, customer.locale, customer.timeZone ?? null, customer.smsConsentAt ?? null, customer.smsConsentWithdrawnAt ?? null, now],
  );
  return toRecord(result.rows[0]!);
}

export async function findCustomerByExternalId(db: Queryable, externalId: string, options: { forUpdate?: boolean } = {}): Promise<CustomerRecord | null> {
  const lock = options.forUpdate ? ' FOR UPDATE' : '';
  const result = await db.query<CustomerRow>(`SELECT ${COLUMNS} FROM customers WHERE external_id = $1${lock}`, [externalId]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

/** The customers of these shop ids, in one query (an id with no customer is left out). */
export async function findCustomersByExternalIds(db: Queryable, externalIds: readonly string[]): Promise<CustomerRecord[]> {
  if (externalIds.length === 0) return [];
  const result = await db.query<CustomerRow>(`SELECT ${COLUMNS} FROM customers WHERE external_id = ANY($1::text[])`, [[...new Set(externalIds)]]);
  return result.rows.map(toRecord);
}

export async function findCustomerById(db: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<CustomerRecord | null> {
  const lock = options.forUpdate ? ' FOR UPDATE' : '';
  const result = await db.query<CustomerRow>(`SELECT ${COLUMNS} FROM customers WHERE id = $1${lock}`, [id]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

const CHANGE_COLUMNS: Record<keyof CustomerChanges, string> = {
  email: 'email',
  name: 'name',
  phone: 'phone',
  locale: 'locale',
  banned: 'banned',
  bannedReason: 'banned_reason',
  bannedAt: 'banned_at',
  timeZone: 'time_zone',
  smsConsentAt: 'sms_consent_at',
  smsConsentWithdrawnAt: 'sms_consent_withdrawn_at',
};

export async function updateCustomer(tx: Queryable, id: string, changes: CustomerChanges, now: Date): Promise<CustomerRecord> {
  const entries = Object.entries(changes).filter(([, value]) => value !== undefined) as [keyof CustomerChanges, unknown][];
  const assignments = entries.map(([key], index) => `${CHANGE_COLUMNS[key]} = $${index + 3}`);
  const result = await tx.query<CustomerRow>(
    `UPDATE customers SET ${['updated_at = $2', ...assignments].join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, now, ...entries.map(([, value]) => value)],
  );
  return toRecord(result.rows[0]!);
}
