import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { extractTar } from '../../src/db/extract-tar.ts';
import { currentSchemaVersion, latestMigrationVersion, migrate } from '../../src/db/migrate.ts';
import { openDatabase } from '../../src/db/open-database.ts';
import { freshClusterPath, installedPGliteVersion } from '../../src/db/pglite-fresh-cluster.ts';

// Only the embedded database has a data directory of recur's to create and buffers of recur's to size.
const scratch = mkdtempSync(join(tmpdir(), 'recur-pglite-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The cluster's system identifier: random per initdb, the first 8 bytes of global/pg_control. */
function systemIdentifier(dataDir: string): string {
  return readFileSync(join(dataDir, 'global', 'pg_control')).readBigUInt64LE(0).toString();
}

describe('the embedded database on a first start', () => {
  it('ships a fresh cluster for the installed PGlite (run `npm run build:pglite-cluster` after upgrading it)', () => {
    expect(existsSync(freshClusterPath()), `no ${freshClusterPath()} for PGlite ${installedPGliteVersion()}`).toBe(true);
  });

  it('unpacks the shipped cluster instead of running initdb, then migrates and keeps its data across a restart', async () => {
    const shipped = join(scratch, 'shipped');
    extractTar(gunzipSync(readFileSync(freshClusterPath())), shipped);
    const dataDir = join(scratch, 'first', 'pgdata');

    const db = await openDatabase({ kind: 'pglite', dataDir });
    try {
      await migrate(db, new Date('2026-01-01T00:00:00Z'));
      await db.query("INSERT INTO api_keys (name, key_hash, key_prefix, created_at) VALUES ('first', 'hash', 'rk_', now())");
    } finally {
      await db.close();
    }
    expect(systemIdentifier(dataDir)).toBe(systemIdentifier(shipped));
    expect(readdirSync(join(scratch, 'first'))).toEqual(['pgdata']);

    const reopened = await openDatabase({ kind: 'pglite', dataDir });
    try {
      expect(await currentSchemaVersion(reopened)).toBe(latestMigrationVersion());
      expect((await reopened.query<{ name: string }>("SELECT name FROM api_keys")).rows).toEqual([{ name: 'first' }]);
    } finally {
      await reopened.close();
    }
  });

  it('keeps PostgreSQL shared buffers small: they live in a WebAssembly memory that never shrinks', async () => {
    const db = await openDatabase({ kind: 'pglite', dataDir: join(scratch, 'buffers', 'pgdata') });
    try {
      expect((await db.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows).toEqual([{ shared_buffers: '16MB' }]);
    } finally {
      await db.close();
    }
  });
});

describe('extractTar', () => {
  function tarOf(name: string, body: string): Buffer {
    const header = Buffer.alloc(512);
    header.write(name, 0);
    header.write('0000644\0', 100);
    header.write(`${Buffer.byteLength(body).toString(8).padStart(11, '0')}\0`, 124);
    header.write('0', 156);
    const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
    data.write(body);
    return Buffer.concat([header, data, Buffer.alloc(1024)]);
  }

  it('writes files under the target, leading slashes and all', () => {
    const target = join(scratch, 'tar-ok');
    extractTar(tarOf('/base/1/PG_VERSION', '17\n'), target);
    expect(readFileSync(join(target, 'base', '1', 'PG_VERSION'), 'utf8')).toBe('17\n');
  });

  it('refuses a name that would land outside the target', () => {
    const target = join(scratch, 'tar-escape', 'inside');
    mkdirSync(target, { recursive: true });
    expect(() => extractTar(tarOf('../../outside', 'x'), target)).toThrow(/outside the target/);
    expect(existsSync(join(scratch, 'outside'))).toBe(false);
  });
});
