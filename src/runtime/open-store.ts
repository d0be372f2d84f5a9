import type { Config } from '../config/load-config.ts';
import { acquireDataDirLock, type DataDirLock } from '../db/data-dir-lock.ts';
import type { Database } from '../db/database.ts';
import { migrate, type Migration } from '../db/migrate.ts';
import { databaseTarget, describeTarget, openDatabase } from '../db/open-database.ts';
import type { Clock } from '../shared/clock.ts';
import { ConfigError } from '../config/load-config.ts';
import { carryStoredLinkKeyToFile, chooseLinkKeySource, type LinkKeySource } from './link-signing-key.ts';

/** `exclusive`: no other process can use this database (the embedded one, locked while open). */
export type Store = { db: Database; description: string; applied: Migration[]; exclusive: boolean; close(): Promise<void> };

export type StoreOptions = {
  /** The embedded directory's lock, taken by the caller (`recur start` takes it before anything else); else taken here. */
  lock?: DataDirLock | null;
  /** Where the link key comes from: a key an older recur kept in the database moves to its file before the migrations drop the table. */
  linkKey?: LinkKeySource;
};

/**
 * Opens the configured database for one command, migrated. The embedded directory is locked
 * first, so a second process gets a clear refusal instead of a corrupted database.
 */
export async function openStore(config: Config, clock: Clock, command: string, options: StoreOptions = {}): Promise<Store> {
  const target = databaseTarget(config);
  // A lock the caller took is the caller's to release.
  const ownLock = options.lock === undefined && target.kind === 'pglite' ? acquireDataDirLock(target.dataDir, command, clock.now()) : null;
  const lock = options.lock ?? ownLock;
  if (target.kind === 'pglite' && !lock) throw new Error('the embedded database is opened only under its lock');
  try {
    const db = await openDatabase(target);
    try {
      const linkKey = options.linkKey ?? (target.kind === 'pglite' ? generatedLinkKeyOf(config) : null);
      if (linkKey) await carryStoredLinkKeyToFile(db, linkKey);
      const applied = await migrate(db, clock.now());
      return {
        db,
        description: describeTarget(target),
        applied,
        exclusive: target.kind === 'pglite',
        async close() {
          await db.close();
          ownLock?.release();
        },
      };
    } catch (error) {
      await db.close();
      throw error;
    }
  } catch (error) {
    ownLock?.release();
    throw error;
  }
}

/** The generated key's file where this configuration would use one (the CLI on the embedded database); else null. */
function generatedLinkKeyOf(config: Config): LinkKeySource | null {
  try {
    return chooseLinkKeySource(config);
  } catch (error) {
    if (error instanceof ConfigError) return null;
    throw error;
  }
}
