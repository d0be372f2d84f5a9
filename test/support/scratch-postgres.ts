import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

const BIN = process.env.RECUR_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Whether this machine can run a cluster of its own: the binaries, and a user initdb accepts. */
export function canRunScratchPostgres(): boolean {
  if (!existsSync(join(BIN, 'initdb')) || !existsSync(join(BIN, 'pg_ctl'))) return false;
  if (userInfo().uid !== 0) return true;
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    return existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser') || existsSync('/usr/bin/runuser');
  } catch {
    return false;
  }
}

export type ScratchPostgres = {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  adminUrl: string;
  url(database: string): string;
  start(): void;
  /** 'fast': sessions are cut off, as in a restart; 'immediate': as in a crash. */
  stop(mode?: 'fast' | 'immediate'): void;
  destroy(): void;
};

/**
 * A PostgreSQL cluster of the test's own, in a temporary directory on a free port, that the test
 * may stop and start. initdb refuses to run as root: as root the tools run as `postgres`.
 */
export async function createScratchPostgres(): Promise<ScratchPostgres> {
  const root = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'recur-pg-'));
  chmodSync(dir, 0o777);
  if (root) execFileSync('chown', ['postgres', dir]);
  const data = join(dir, 'data');
  const port = await freePort();
  const run = (tool: string, args: string[]) => {
    const command = root ? ['runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]] : [join(BIN, tool), args];
    execFileSync(command[0] as string, command[1] as string[], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const cluster: ScratchPostgres = {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']),
    stop: (mode = 'fast') => run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']),
    destroy() {
      try {
        cluster.stop('immediate');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
