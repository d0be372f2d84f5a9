import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type DataDirLock = { release(): void };

export type LockHolder = { pid: number; command: string; since: string };

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(`the embedded database in ${dataDir} is in use by \`recur ${holder.command}\` (pid ${holder.pid}, since ${holder.since})`);
  }
}

/**
 * PGlite must only ever be opened by one process: two writers on one directory corrupt it. The
 * lock file holds the owner's pid and appears atomically (hard link of a complete file, which
 * fails if the lock exists); a lock whose pid no longer runs (a killed process) is taken over.
 */
export function acquireDataDirLock(dataDir: string, command: string, now: Date): DataDirLock {
  // Beside the PGlite directory, not inside it: that one belongs to PostgreSQL.
  const lockDir = dirname(dataDir);
  // recur's data directory: the database, and in development the sandbox's state. The owner's alone.
  mkdirSync(lockDir, { recursive: true, mode: 0o700 });
  const path = join(lockDir, 'recur.lock');
  const holder: LockHolder = { pid: process.pid, command, since: now.toISOString() };
  const candidate = `${path}.${process.pid}`;
  writeFileSync(candidate, JSON.stringify(holder), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(candidate, path);
        return { release: () => releaseIfOurs(path) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const current = readHolder(path);
        if (current && isRunning(current.pid)) throw new DataDirInUseError(dataDir, current);
        unlinkSync(path);
      }
    }
  } finally {
    unlinkSync(candidate);
  }
  throw new Error(`could not lock ${dataDir}: another process keeps taking the lock`);
}

function readHolder(path: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOurs(path: string): void {
  if (readHolder(path)?.pid === process.pid) unlinkSync(path);
}
