import { createHmac } from 'node:crypto';

/**
 * The one-time portal link an e-mail carries, derived from the notice's business key with the
 * link-signing key: the sender makes the same token from the outbox row that the service
 * recorded the hash of, so the token itself never rests in the database (only its SHA-256 does,
 * in portal_links), and a row sent again carries the same link. 43 characters, like any portal
 * token (src/services/portal/portal-secret.ts).
 */
export const portalEntryToken = (linkSecret: string, businessKey: string): string => createHmac('sha256', linkSecret).update(`recur-portal-entry.${businessKey}`).digest('base64url');

export const portalEntryUrl = (publicBaseUrl: string, token: string): string => `${publicBaseUrl}/portal/enter?token=${token}`;
