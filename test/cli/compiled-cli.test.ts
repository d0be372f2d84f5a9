import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, repoRoot, spawnNode, waitForExit } from '../fixtures/recur-process.ts';

// A checkout of its own (sources copied, node_modules shared), so editing a source or breaking
// dist/ cannot touch the repository the other tests run from.
let checkout: string;

async function recur(args: string[]) {
  const spawned = spawnNode([join(checkout, 'bin/recur.js'), ...args], { cwd: checkout, env: { LOG_LEVEL: 'warn' }, timeoutMs: 60_000 });
  const exit = await waitForExit(spawned, 60_000);
  return { ...exit, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

const compiled = () => join(checkout, 'dist/recur.js');
const programFile = () => join(checkout, 'src/cli/create-program.ts');

beforeAll(() => {
  checkout = mkdtempSync(join(tmpdir(), 'recur-checkout-'));
  for (const part of ['bin', 'src', 'sandbox', 'package.json', 'tsconfig.json']) cpSync(join(repoRoot, part), join(checkout, part), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(checkout, 'node_modules'), 'dir');
});

afterEach(killSpawnedProcesses);
afterAll(() => rmSync(checkout, { recursive: true, force: true }));

describe('the recur command runs compiled JavaScript that always matches the sources', () => {
  it('compiles dist/recur.js on the first run of a checkout that has none, and runs it', async () => {
    expect(existsSync(compiled())).toBe(false);
    const run = await recur(['--version']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')).version);
    expect(run.stderr).toBe('');
    expect(readFileSync(compiled(), 'utf8')).toContain('self-hosted subscriptions and payments');
  });

  it('compiles again before running when a source changed since, so an edit never runs stale', async () => {
    expect((await recur(['--version'])).code).toBe(0);
    const source = readFileSync(programFile(), 'utf8');
    writeFileSync(programFile(), source.replace('self-hosted subscriptions and payments', 'self-hosted subscriptions (edited)'));

    const help = await recur(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('self-hosted subscriptions (edited)');
    expect(readFileSync(compiled(), 'utf8')).toContain('self-hosted subscriptions (edited)');
    writeFileSync(programFile(), source);
  });

  it('runs the TypeScript sources, and says so, where dist/ cannot be written', async () => {
    writeFileSync(programFile(), `${readFileSync(programFile(), 'utf8')}\n// edited after the last compile\n`);
    rmSync(join(checkout, 'dist'), { recursive: true, force: true });
    // A file where the directory should be: mkdir fails as it would on a read-only install.
    writeFileSync(join(checkout, 'dist'), '');

    const run = await recur(['--version']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(run.stderr).toMatch(/^recur: could not rebuild dist\/recur\.js \(.+\); running from the TypeScript sources\n$/);
  });
});
