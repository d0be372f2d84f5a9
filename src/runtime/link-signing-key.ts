import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isDevelopment } from '../config/development-setup.ts';
import { ConfigError } from '../config/load-config.ts';
import type { Settings } from '../config/settings-schema.ts';
import type { Queryable } from '../db/database.ts';

export const LINK_KEY_FILE_NAME = 'link-signing.key';

/** Where the key that signs notice links comes from: the operator's setting, or (development only) a file recur made. */
export type LinkKeySource = { kind: 'configured'; secret: string } | { kind: 'file'; path: string };

type LinkKeySettings = Parameters<typeof isDevelopment>[0] & Pick<Settings, 'LINK_SIGNING_SECRET' | 'RECUR_DATA_DIR'>;

/**
 * LINK_SIGNING_SECRET when set. Without it, only development (no provider configured, or
 * SANDBOX=on) gets a generated key, kept in a 0600 file of the data directory and in no table:
 * whoever reads the database (a backup, a reporting user) must not be able to forge a cancel link.
 * A deployment with real providers is refused instead, since its links reach real customers.
 */
export function chooseLinkKeySource(settings: LinkKeySettings, cwd = process.cwd()): LinkKeySource {
  if (settings.LINK_SIGNING_SECRET) return { kind: 'configured', secret: settings.LINK_SIGNING_SECRET };
  if (!isDevelopment(settings)) {
    throw new ConfigError('LINK_SIGNING_SECRET: required with real provider keys (it signs the cancel and card links customers get); set 32+ random characters, e.g. `openssl rand -base64 32` (missing)');
  }
  return { kind: 'file', path: join(resolve(cwd, settings.RECUR_DATA_DIR), LINK_KEY_FILE_NAME) };
}

/**
 * The key itself; a missing file is created. Processes starting at once each offer a key and the
 * first complete file wins (a hard link fails when the name exists), so all of them read one key.
 */
export function readLinkKey(source: LinkKeySource): string {
  if (source.kind === 'configured') return source.secret;
  const existing = readKeyFile(source.path);
  if (existing) return existing;
  offerKeyFile(source.path, randomBytes(32).toString('base64url'));
  return readKeyFile(source.path) ?? failUnreadable(source.path);
}

/**
 * recur kept its generated key in the table `service_secrets` until migration 0008 dropped it.
 * Run before the migrations: the key moves to the file, so links sent before keep working.
 */
export async function carryStoredLinkKeyToFile(db: Queryable, source: LinkKeySource): Promise<void> {
  if (source.kind !== 'file' || readKeyFile(source.path)) return;
  const table = await db.query<{ present: boolean }>("SELECT to_regclass('service_secrets') IS NOT NULL AS present");
  if (!table.rows[0]?.present) return;
  const stored = await db.query<{ secret: string }>("SELECT secret FROM service_secrets WHERE name = 'link-signing'");
  const secret = stored.rows[0]?.secret;
  if (secret) offerKeyFile(source.path, secret);
}

function readKeyFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function offerKeyFile(path: string, key: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const candidate = `${path}.${process.pid}.tmp`;
  writeFileSync(candidate, `${key}\n`, { mode: 0o600 });
  try {
    linkSync(candidate, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(candidate);
  }
}

function failUnreadable(path: string): never {
  throw new Error(`the link-signing key file ${path} is empty: delete it to let recur make a new one (links sent before stop working), or set LINK_SIGNING_SECRET`);
}
