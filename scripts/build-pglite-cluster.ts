/**
 * `npm run build:pglite-cluster`: writes the fresh PostgreSQL cluster that a first start on the
 * embedded database unpacks instead of running initdb (src/db/pglite-fresh-cluster.ts), for the
 * installed PGlite. Run it after upgrading @electric-sql/pglite and commit the archive; until
 * then a first start falls back to initdb, and test/db/pglite-fresh-cluster.test.ts says so.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { freshClusterPath } from '../src/db/pglite-fresh-cluster.ts';

const target = freshClusterPath();
// In memory, PGlite runs its initdb straight into the instance's data directory, as it does for
// a directory on disk before copying the result there.
const pg = await PGlite.create();
const archive = Buffer.from(await (await pg.dumpDataDir('gzip')).arrayBuffer());
await pg.close();
for (const old of readdirSync(dirname(target)).filter((name) => name.endsWith('-cluster.tar.gz'))) rmSync(join(dirname(target), old));
writeFileSync(target, archive);
process.stdout.write(`wrote ${target} (${(archive.length / 1048576).toFixed(1)} MB)\n`);
process.stdout.write(`${basename(target)}: commit it with the PGlite upgrade\n`);
