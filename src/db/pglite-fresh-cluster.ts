import { existsSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { extractTar } from './extract-tar.ts';

const CLUSTERS_DIR = fileURLToPath(new URL('./pglite-clusters/', import.meta.url));

/** The installed PGlite's version: a data directory is only valid for the PostgreSQL build it came from. */
export function installedPGliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** Where the fresh cluster for the installed PGlite is shipped (`npm run build:pglite-cluster` writes it). */
export function freshClusterPath(version = installedPGliteVersion()): string {
  return join(CLUSTERS_DIR, `pglite-${version}-cluster.tar.gz`);
}

/**
 * Gives an empty data directory the cluster PGlite's initdb would create, from the archive shipped
 * for the installed PGlite: initdb costs about 12 s of CPU and 400 MB at its peak, unpacking well
 * under a second (docs/adr/0007). initdb here always runs with the same arguments (UTF8, C.UTF-8,
 * trust, UTC), so the result is the same cluster; only its random system identifier is shared,
 * which only replication reads. Unpacked beside the directory and renamed into place, so an
 * interrupted first start leaves no half cluster. Returns false, leaving the work to PGlite's own
 * initdb, when the directory holds anything or no archive matches the installed PGlite.
 */
export function seedFreshCluster(dataDir: string): boolean {
  const archive = freshClusterPath();
  if (!existsSync(archive)) return false;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return false;
  const staging = `${dataDir}.seeding-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    extractTar(gunzipSync(readFileSync(archive)), staging);
    if (existsSync(dataDir)) rmdirSync(dataDir);
    renameSync(staging, dataDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return true;
}
