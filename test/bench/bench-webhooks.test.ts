import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/recur-process.ts';

// Keeps `npm run bench:webhooks` working: a tiny run must measure both targets and have every
// event acknowledged. The figures themselves are only read by people, never asserted.
describe('npm run bench:webhooks', () => {
  it('measures recur and the floor on PGlite, for Stripe and for PayPal (offline verification), with every event acknowledged, applies events with the Stripe processor, then drains a backlog', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/webhooks.ts', '--seconds', '1', '--warmup', '1', '--connections', '4', '--engines', 'pglite', '--backlog', '300', '--drain-cap', '60', '--applied-events', '30', '--applied-subscriptions', '5', '--applied-latency', '5', '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 210_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      acknowledged: { engine: string; target: string; acknowledgedPerSecond: number; non2xx: number; errors: number; p50Ms: number; p99Ms: number }[];
      drains: { engine: string; target: string; events: number; drained: boolean; left: number }[];
      applied: { engine: string; latencyMs: number; requestsPerSecond: number; statuses: Record<string, number>; appliedPerSecond: number; providerReads: number }[];
    };
    expect(report.acknowledged.map((row) => [row.engine, row.target, row.non2xx, row.errors])).toEqual([
      ['pglite', 'floor', 0, 0],
      ['pglite', 'recur', 0, 0],
      ['pglite', 'floor (paypal)', 0, 0],
      ['pglite', 'recur (paypal)', 0, 0],
    ]);
    for (const row of report.acknowledged) {
      expect(row.acknowledgedPerSecond).toBeGreaterThan(0);
      expect(row.p99Ms).toBeGreaterThanOrEqual(row.p50Ms);
    }
    // Every delivered event applied, once against the local sandbox and once with latency at Stripe's live rate.
    expect(report.applied.map((row) => [row.engine, row.latencyMs, row.requestsPerSecond, Object.keys(row.statuses)])).toEqual([
      ['pglite', 0, 1000, ['processed']],
      ['pglite', 5, 100, ['processed']],
    ]);
    for (const row of report.applied) {
      expect(row.statuses['processed']).toBeGreaterThanOrEqual(30);
      expect(row.appliedPerSecond).toBeGreaterThan(0);
      expect(row.providerReads).toBeGreaterThan(0);
    }
    expect(report.drains.map((row) => [row.engine, row.target, row.events, row.drained, row.left])).toEqual([['pglite', 'recur', 301, true, 0]]); // the backlog and the webhook that wakes it
  }, 240_000);

  it('refuses an unknown option with one line and exit 64', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/webhooks.ts', '--events', '30'], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(64);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain("Unknown option '--events'");
  });

  it('refuses a bad option with one line and exit 64', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/webhooks.ts', '--engines', 'mysql'], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(64);
    expect(run.stderr.trim()).toBe('bench: --engines takes pglite and/or postgres, not mysql');
  });
});
