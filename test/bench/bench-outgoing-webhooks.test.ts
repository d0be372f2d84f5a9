import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/recur-process.ts';

type Throughput = { delivered: number; seconds: number; perSecond: number; p50Ms: number; p99Ms: number };
type Report = {
  delivery: { engine: string; events: number; endpoints: number; receiverLatencyMs: number; recur: Throughput & { end: string; left: number; received: number; rejected: number; duplicates: number; statementsPerDelivery: number }; floor: Throughput; xFloor: number }[];
  cost: { engine: string; round: number; endpoint: boolean; statuses: Record<string, number>; appliedPerSecond: number; statementsPerAppliedEvent: number; outgoingEvents: number; deliveries: number; received: number }[];
};

const bench = (args: string[], timeout: number) => spawnSync(process.execPath, ['--import', 'tsx', 'bench/outgoing-webhooks.ts', ...args], { cwd: repoRoot, encoding: 'utf8', timeout });

// Keeps `npm run bench:outgoing` working: a tiny run must have every event received, verified,
// once, from recur and from the floor. The figures themselves are only read by people.
describe('npm run bench:outgoing', () => {
  it('delivers every recorded event to the receiver, with one endpoint and split over several, with and without receiver latency, beside the floor; then applies webhooks without and with an endpoint', () => {
    const run = bench(['--events', '200', '--customers', '20', '--endpoints', '1,4', '--receiver-latency', '5', '--latency-events', '40', '--cost-events', '30', '--cost-subscriptions', '5', '--cost-rounds', '2', '--engines', 'pglite', '--json'], 210_000);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.delivery.map((row) => [row.engine, row.endpoints, row.receiverLatencyMs, row.events])).toEqual([
      ['pglite', 1, 0, 200],
      ['pglite', 4, 0, 200],
      ['pglite', 1, 5, 40],
      ['pglite', 4, 5, 40],
    ]);
    for (const row of report.delivery) {
      expect([row.recur.end, row.recur.received, row.recur.left, row.recur.rejected, row.recur.duplicates]).toEqual(['all', row.events, 0, 0, 0]);
      expect(row.floor.delivered).toBe(row.events);
      expect(row.recur.perSecond).toBeGreaterThan(0);
      expect(row.xFloor).toBeGreaterThan(0);
      expect(row.recur.p99Ms).toBeGreaterThanOrEqual(row.recur.p50Ms);
      expect(row.recur.statementsPerDelivery).toBeGreaterThan(0);
    }
    // Pairs back to back, the order alternating.
    expect(report.cost.map((row) => [row.engine, row.round, row.endpoint, Object.keys(row.statuses)])).toEqual([
      ['pglite', 1, false, ['processed']],
      ['pglite', 1, true, ['processed']],
      ['pglite', 2, true, ['processed']],
      ['pglite', 2, false, ['processed']],
    ]);
    for (const round of [1, 2]) {
      const without = report.cost.find((row) => row.round === round && !row.endpoint)!;
      const withEndpoint = report.cost.find((row) => row.round === round && row.endpoint)!;
      expect(without.deliveries).toBe(0);
      // Applying records events either way; with an endpoint each is fanned out and received once.
      expect(withEndpoint.outgoingEvents).toBeGreaterThan(0);
      expect([withEndpoint.deliveries, withEndpoint.received]).toEqual([withEndpoint.outgoingEvents, withEndpoint.outgoingEvents]);
      expect(withEndpoint.statementsPerAppliedEvent).toBeGreaterThan(without.statementsPerAppliedEvent);
    }
  }, 240_000);

  it('refuses an unknown option with one line and exit 64', () => {
    const run = bench(['--connections', '4'], 30_000);
    expect(run.status).toBe(64);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain("Unknown option '--connections'");
  });

  it('refuses a bad option with one line and exit 64', () => {
    expect(bench(['--engines', 'mysql'], 30_000)).toMatchObject({ status: 64, stderr: 'bench: --engines takes pglite and/or postgres, not mysql\n' });
    expect(bench(['--endpoints', '1,18'], 30_000)).toMatchObject({ status: 64, stderr: 'bench: --endpoints must be a whole number from 1 to 17, not "18"\n' });
  });
});
