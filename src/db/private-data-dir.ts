import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A file of recur's data directory that belongs to another user: recur cannot make it private. */
export class DataDirNotOwnedError extends Error {
  override name = 'DataDirNotOwnedError';
  constructor(
    readonly path: string,
    readonly ownerUid: number,
  ) {
    super(`${path} belongs to user ${ownerUid}, not to the user recur runs as (${process.getuid?.()}), so recur cannot keep it private`);
  }
}

const GROUP_AND_OTHERS = 0o077;

/**
 * recur's data directory holds the embedded database, the sandbox's state and in development the
 * link-signing key: only its owner may read any of it. Creates it 0700 and takes group and others'
 * bits off anything inside (wider modes come from an older recur, a copy, or a hand's chmod).
 * Returns the paths it narrowed, for a warning. Symbolic links are left alone (their own bits mean
 * nothing); a path owned by another user is refused, since only its owner can change it.
 */
export function makeDataDirPrivate(dataDir: string, options: { create: boolean }): string[] {
  if (!existsSync(dataDir)) {
    if (!options.create) return [];
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  }
  const narrowed: string[] = [];
  // The directory itself may be a link to where the operator keeps it; what is inside is not followed.
  const visit = (path: string, stat = lstatSync(path, { throwIfNoEntry: false })) => {
    // Gone since its directory was read (a temporary file of the sandbox's state, say): nothing to narrow.
    if (!stat) return;
    if (stat.isSymbolicLink()) return;
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) throw new DataDirNotOwnedError(path, stat.uid);
    if ((stat.mode & GROUP_AND_OTHERS) !== 0) {
      chmodSync(path, stat.mode & 0o7777 & ~GROUP_AND_OTHERS);
      narrowed.push(path);
    }
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(dataDir, statSync(dataDir));
  return narrowed;
}
