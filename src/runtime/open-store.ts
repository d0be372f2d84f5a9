import type { Config } from '../config/load-config.ts';
import { acquireDataDirLock, type DataDirLock } from '../db/data-dir-lock.ts';
import type { Database } from '../db/database.ts';
import { migrate, type Migration } from '../db/migrate.ts';
import { databaseTarget, describeTarget, openDatabase } from '../db/open-database.ts';
import type { Clock } from '../shared/clock.ts';

/** `exclusive`: no other process can use this database (the embedded one, locked while open). */
export type Store = { db: Database; description: string; applied: Migration[]; exclusive: boolean; close(): Promise<void> };

/**
 * Opens the configured database for one command, migrated. The embedded directory is locked
 * first, so a second process gets a clear refusal instead of a corrupted database.
 */
export async function openStore(config: Config, clock: Clock, command: string): Promise<Store> {
  const target = databaseTarget(config);
  let lock: DataDirLock | null = null;
  if (target.kind === 'pglite') lock = acquireDataDirLock(target.dataDir, command, clock.now());
  try {
    const db = await openDatabase(target);
    try {
      const applied = await migrate(db, clock.now());
      return {
        db,
        description: describeTarget(target),
        applied,
        exclusive: target.kind === 'pglite',
        async close() {
          await db.close();
          lock?.release();
        },
      };
    } catch (error) {
      await db.close();
      throw error;
    }
  } catch (error) {
    lock?.release();
    throw error;
  }
}
