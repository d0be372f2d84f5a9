import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/recur-process.ts';

// Keeps `npm run bench:webhooks` working: a tiny run must measure both targets and have every
// event acknowledged. The figures themselves are only read by people, never asserted.
describe('npm run bench:webhooks', () => {
  it('measures recur and the baseline on PGlite with every event acknowledged', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/webhooks.ts', '--events', '30', '--warmup', '5', '--concurrency', '4', '--engines', 'pglite', '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { rows: { engine: string; target: string; events: number; failures: number; eventsPerSecond: number; p50Ms: number; p99Ms: number }[] };
    expect(report.rows.map((row) => [row.engine, row.target, row.events, row.failures])).toEqual([
      ['pglite', 'baseline', 30, 0],
      ['pglite', 'recur', 30, 0],
    ]);
    for (const row of report.rows) expect(row.p99Ms).toBeGreaterThanOrEqual(row.p50Ms);
  }, 120_000);

  it('refuses a bad option with one line and exit 64', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/webhooks.ts', '--engines', 'mysql'], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(64);
    expect(run.stderr.trim()).toBe('bench: --engines takes pglite and/or postgres, not mysql');
  });
});
