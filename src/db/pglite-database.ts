import { chmodSync, mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { PGlite, types } from '@electric-sql/pglite';
import { parseInt8, type Database, type Queryable, type QueryResult } from './database.ts';
import { OwnerOnlyNodeFS } from './owner-only-node-fs.ts';
import { seedFreshCluster } from './pglite-fresh-cluster.ts';
import { SerialLock } from './serial-lock.ts';

type PGliteSource = { dataDir: string } | { loadDataDir: Blob } | { memory: true };

/**
 * PGlite runs PostgreSQL in one WebAssembly memory, which never shrinks, and allocates its shared
 * buffers inside it: the default 128 MB of buffers cost about 140 MB of resident memory for a
 * database of a few tens of MB (docs/adr/0007). 16 MB (2,048 pages) holds recur's hot tables; the
 * operating system's file cache keeps the rest close.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/**
 * PostgreSQL's WebAssembly (9 MB) runs on V8's baseline compiler only. By default V8 recompiles
 * every function that gets warm with its optimizing compiler: on a start that was ~1.4 s of CPU
 * and ~70 MB of code and compiler memory for no measurable gain afterwards, since a webhook's time
 * goes to JavaScript, not to PostgreSQL (docs/adr/0012). The flags apply to WebAssembly compiled
 * after they are set, in this process only (recur compiles no other). Set at run time,
 * `--liftoff-only` does not bring the two flags it implies on the command line: Node 24 needs them
 * said.
 */
function keepPGliteOnBaselineCompiler(): void {
  setFlagsFromString('--liftoff-only --no-wasm-tier-up --no-wasm-dynamic-tiering');
}

/** Opens the embedded database: a directory on disk, a dump (test templates), or memory. */
export async function openPGlite(source: PGliteSource): Promise<Database> {
  keepPGliteOnBaselineCompiler();
  const options = { parsers: { [types.INT8]: parseInt8 }, startParams: PGLITE_START_PARAMS };
  let pg: PGlite;
  if ('dataDir' in source) {
    if (!seedFreshCluster(source.dataDir)) mkdirSync(source.dataDir, { recursive: true, mode: 0o700 });
    // The cluster holds customers' data: owner-only, whether unpacked or created, and so is every file PGlite writes.
    chmodSync(source.dataDir, 0o700);
    pg = await PGlite.create({ fs: new OwnerOnlyNodeFS(source.dataDir), ...options });
  } else if ('loadDataDir' in source) {
    pg = await PGlite.create({ loadDataDir: source.loadDataDir, ...options });
  } else {
    pg = await PGlite.create(options);
  }
  return new PGliteDatabase(pg);
}

/** A copy of the whole embedded database, loadable with `openPGlite({ loadDataDir })`. */
export async function dumpPGlite(db: Database): Promise<Blob> {
  if (!(db instanceof PGliteDatabase)) throw new TypeError('dumpPGlite needs an embedded (PGlite) database');
  return db.dump();
}

class PGliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  private readonly lock = new SerialLock();
  private closed = false;

  constructor(readonly pg: PGlite) {}

  query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    return this.lock.run(() => runQuery<Row>(this.pg, sql, params));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      await this.pg.exec('BEGIN');
      try {
        const result = await work({
          query: (sql, params = []) => runQuery(this.pg, sql, params),
          exec: (sql) => runScript(this.pg, sql),
        });
        await this.pg.exec('COMMIT');
        return result;
      } catch (error) {
        await this.pg.exec('ROLLBACK');
        throw error;
      }
    });
  }

  exec<Row>(sql: string): Promise<Row[]> {
    return this.lock.run(() => runScript<Row>(this.pg, sql));
  }

  dump(): Promise<Blob> {
    return this.lock.run(() => this.pg.dumpDataDir('none'));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock.run(() => this.pg.close());
  }
}

async function runQuery<Row>(pg: PGlite, sql: string, params: readonly unknown[]): Promise<QueryResult<Row>> {
  const result = await pg.query<Row>(sql, [...params]);
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
}

async function runScript<Row>(pg: PGlite, sql: string): Promise<Row[]> {
  const results = await pg.exec(sql);
  return (results.at(-1)?.rows ?? []) as Row[];
}
