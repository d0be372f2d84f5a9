import { resolve } from 'node:path';
import { chooseEmulatedProviders, type EmulatedProvider } from '../config/development-setup.ts';
import { ConfigError, type Config } from '../config/load-config.ts';
import { acquireDataDirLock, type DataDirLock } from '../db/data-dir-lock.ts';
import { databaseTarget } from '../db/open-database.ts';
import { makeDataDirPrivate } from '../db/private-data-dir.ts';
import { chooseLinkKeySource, type LinkKeySource } from '../runtime/link-signing-key.ts';
import { systemClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { CliError } from './cli-support.ts';
import { describeDataDirFailure } from './start-failures.ts';

/** What the settings decide before anything is opened: a refusal here is one line and exit 78. */
export function planStart(config: Config): { emulated: EmulatedProvider[]; linkKey: LinkKeySource } {
  try {
    return { emulated: chooseEmulatedProviders(config), linkKey: chooseLinkKeySource(config) };
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`configuration error: ${error.message}`, 78);
    throw error;
  }
}

/**
 * The data directory locked (on the embedded database) and made private: before the sandbox takes
 * its port, so a second `recur start` on the directory is told that it is in use, not that a port
 * is taken.
 */
export function claimDataDir(config: Config, emulated: readonly EmulatedProvider[], linkKey: LinkKeySource, logger: Logger): DataDirLock | null {
  const target = databaseTarget(config);
  const usesDataDir = target.kind === 'pglite' || emulated.length > 0 || linkKey.kind === 'file';
  const dataDir = resolve(config.RECUR_DATA_DIR);
  // Whatever this process creates without a mode of its own is the owner's alone. (Not enough for
  // PGlite, whose runtime sets modes with chmod: OwnerOnlyNodeFS covers that.)
  process.umask(0o077);
  // Locked first: the walk below must not race a running recur's files, nor refuse what that one owns.
  const lock = target.kind === 'pglite' ? acquireDataDirLock(target.dataDir, 'start', systemClock.now()) : null;
  try {
    const narrowed = makeDataDirPrivate(dataDir, { create: usesDataDir });
    if (narrowed.length > 0) {
      logger.warn({ dataDir, narrowed: narrowed.length, examples: narrowed.slice(0, 5) }, 'the data directory was open to other users: group and others\' permissions were removed');
    }
  } catch (error) {
    lock?.release();
    throw describeDataDirFailure(error) ?? error;
  }
  return lock;
}
