/**
 * `npm run bench:startup`: how long `recur start` takes to answer /readyz and how much memory it
 * holds, on the embedded database (PGlite) next to PostgreSQL in the same run. Per engine, as
 * "service" (webhooks only, the sandbox off) and as "sandbox" (the key-less `npm start` a new
 * user runs, emulators in the same process):
 *   first start   spawn to the first 200 of /readyz on a fresh data directory / new database, and
 *                 the CPU time recur used until then (steadier than wall time on a busy machine)
 *   restart       the same on the data the first start left: the median of --restarts (default 5)
 *                 restarts, with the slowest of them
 *   idle RSS      resident memory --settle seconds after /readyz answered (first start)
 *   peak 1st min  the highest resident memory (VmHWM) in the first --window seconds
 *   restart idle  resident memory --settle seconds after the restart was ready
 *   after N       resident memory --settle seconds after N signed Stripe webhooks were acknowledged
 * Figures vary by machine and load: compare the engines and the before/after of one run.
 *
 *   npm run bench:startup -- [--quick] [--restarts 5] [--webhooks 10000] [--settle 20] [--window 60]
 *                            [--engines pglite,postgres] [--modes service,sandbox] [--json]
 */
import { parseArgs } from 'node:util';
import { measureStartup, type Mode, type StartupFigures } from './support/startup-run.ts';
import { postgresAnswers, type Engine } from './support/targets.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    webhooks: { type: 'string' },
    restarts: { type: 'string', default: '5' },
    settle: { type: 'string', default: '20' },
    window: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '16' },
    engines: { type: 'string' },
    modes: { type: 'string', default: 'service,sandbox' },
    json: { type: 'boolean', default: false },
  },
});

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(64);
}

function whole(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) usage(`--${name} must be a whole number above 0, not "${text}"`);
  return value;
}

function listOf<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((item) => item.trim()) as T[];
  const unknown = items.filter((item) => !allowed.includes(item));
  if (unknown.length > 0) usage(`--${name} takes ${allowed.join(' and/or ')}, not ${unknown.join(', ')}`);
  return items;
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const plan = {
  adminUrl,
  restarts: whole('restarts', values.restarts),
  webhooks: whole('webhooks', values.webhooks ?? (values.quick ? '1000' : '10000')),
  settleSeconds: whole('settle', values.settle),
  windowSeconds: whole('window', values.window),
  concurrency: whole('concurrency', values.concurrency),
};
const modes = listOf<Mode>('modes', values.modes, ['service', 'sandbox']);
let engines: Engine[];
if (values.engines) engines = listOf<Engine>('engines', values.engines, ['pglite', 'postgres']);
else if (await postgresAnswers(adminUrl)) engines = ['pglite', 'postgres'];
else {
  process.stderr.write(`bench: no PostgreSQL answers at BENCH_DATABASE_URL / TEST_DATABASE_URL (${new URL(adminUrl).host}); measuring PGlite only\n`);
  engines = ['pglite'];
}

const rows: StartupFigures[] = [];
for (const mode of modes) {
  for (const engine of engines) {
    process.stderr.write(`bench: ${engine} / ${mode} ...\n`);
    rows.push(await measureStartup(engine, mode, plan));
  }
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, ...plan, adminUrl: undefined, rows }, null, 2)}\n`);
} else {
  const seconds = (ms: number, cpu: number, width: number) => `${(ms / 1000).toFixed(2)} s (${cpu.toFixed(1)})`.padStart(width);
  const mb = (value: number) => `${value.toFixed(0)} MB`.padStart(14);
  const restartHeader = `restart, median of ${plan.restarts}`;
  const header = ['idle RSS', 'peak 1st min', 'restart idle', `after ${plan.webhooks}`, 'peak overall'];
  const lines = [
    `recur start: /readyz and resident memory, node ${process.version}, idle = ${plan.settleSeconds} s settled, peak over the first ${plan.windowSeconds} s, ${plan.webhooks} signed webhooks; times wall (CPU)`,
    `${'engine'.padEnd(9)}${'mode'.padEnd(8)}${'first start'.padStart(18)}${restartHeader.padStart(24)}${'slowest restart'.padStart(18)}${header.map((h) => h.padStart(14)).join('')}`,
    ...rows.map(
      (row) =>
        `${row.engine.padEnd(9)}${row.mode.padEnd(8)}${seconds(row.firstStartMs, row.firstStartCpuS, 18)}${seconds(row.restartMs, row.restartCpuS, 24)}${`${(row.slowestRestartMs / 1000).toFixed(2)} s`.padStart(18)}${mb(row.idleMb)}${mb(row.firstMinutePeakMb)}${mb(row.restartIdleMb)}${mb(row.afterWebhooksMb)}${mb(row.overallPeakMb)}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
