import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../db/database.ts';

const SECRET_NAME = 'link-signing';

/**
 * The key that signs cancel and payment-method links: LINK_SIGNING_SECRET when configured, else
 * one recur made for itself and keeps in `service_secrets`, so that links survive a restart and
 * every process of a deployment checks what any other signed. Processes starting at once each
 * offer a key; the primary key lets the first one in win, and every process then reads that one.
 */
export async function resolveLinkSecret(db: Queryable, configured: string | undefined, now: Date): Promise<string> {
  if (configured) return configured;
  await db.query('INSERT INTO service_secrets (name, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [
    SECRET_NAME,
    randomBytes(32).toString('base64url'),
    now,
  ]);
  const stored = await db.query<{ secret: string }>('SELECT secret FROM service_secrets WHERE name = $1', [SECRET_NAME]);
  return stored.rows[0]!.secret;
}
