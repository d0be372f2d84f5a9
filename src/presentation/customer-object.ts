import { hasSmsConsent, type CustomerRecord } from '../db/repositories/customer-repository.ts';
import { isoOrNull } from './iso-time.ts';

/** A customer as the API answers it and as outgoing events carry it (snake_case, ISO times). */
export type CustomerObject = {
  id: string;
  external_id: string;
  email: string;
  name: string | null;
  phone: string | null;
  locale: 'nl' | 'en';
  banned: boolean;
  banned_reason: string | null;
  banned_at: string | null;
  time_zone: string | null;
  sms_consent: boolean;
  sms_consent_at: string | null;
  created_at: string;
  updated_at: string;
};

export const toCustomerObject = (customer: CustomerRecord): CustomerObject => ({
  id: customer.id,
  external_id: customer.externalId,
  email: customer.email,
  name: customer.name,
  phone: customer.phone,
  locale: customer.locale,
  banned: customer.banned,
  banned_reason: customer.bannedReason,
  banned_at: isoOrNull(customer.bannedAt),
  time_zone: customer.timeZone,
  sms_consent: hasSmsConsent(customer),
  sms_consent_at: isoOrNull(customer.smsConsentAt),
  created_at: customer.createdAt.toISOString(),
  updated_at: customer.updatedAt.toISOString(),
});
