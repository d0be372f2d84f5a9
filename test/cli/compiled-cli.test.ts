import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, repoRoot, spawnNode, startRecur, waitForExit } from '../fixtures/recur-process.ts';

// A checkout of its own (sources copied, each installed package linked from the repository's
// node_modules, npm's record of the installed tree copied), so editing a source, the record or
// dist/ cannot touch the repository the other tests run from.
let checkout: string;

async function recur(args: string[]) {
  const spawned = spawnNode([join(checkout, 'bin/recur.js'), ...args], { cwd: checkout, env: { LOG_LEVEL: 'warn' }, timeoutMs: 60_000 });
  const exit = await waitForExit(spawned, 60_000);
  return { ...exit, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

const compiled = () => join(checkout, 'dist/recur.js');
const programFile = () => join(checkout, 'src/cli/create-program.ts');
const installedTree = () => join(checkout, 'node_modules/.package-lock.json');

beforeAll(() => {
  checkout = mkdtempSync(join(tmpdir(), 'recur-checkout-'));
  for (const part of ['bin', 'src', 'sandbox', 'package.json', 'tsconfig.json']) cpSync(join(repoRoot, part), join(checkout, part), { recursive: true });
  mkdirSync(join(checkout, 'node_modules'));
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (entry !== '.package-lock.json') symlinkSync(join(repoRoot, 'node_modules', entry), join(checkout, 'node_modules', entry));
  }
  cpSync(join(repoRoot, 'node_modules/.package-lock.json'), installedTree());
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

  it('compiles again when npm changed the installed dependencies, which the bundle carries', async () => {
    expect((await recur(['--version'])).code).toBe(0);
    // esbuild copied the dependencies (but those that read files beside themselves) into the bundle.
    expect(readFileSync(compiled(), 'utf8')).toMatch(/^\/\/ \S*node_modules\/fastify\/fastify\.js$/m);
    const builtAt = statSync(compiled(), { bigint: true }).mtimeNs;
    // What npm does on every install, update or removal: it rewrites its record of the tree.
    writeFileSync(installedTree(), readFileSync(installedTree(), 'utf8').replace(/\n$/, '\n\n'));

    const run = await recur(['--version']);
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(compiled(), { bigint: true }).mtimeNs).not.toBe(builtAt);
    const again = statSync(compiled(), { bigint: true }).mtimeNs;
    expect((await recur(['--version'])).code).toBe(0);
    expect(statSync(compiled(), { bigint: true }).mtimeNs).toBe(again);
   }, 120_000);

  it('serves the API, its OpenAPI document and the docs page from the bundle, through HTTP', async () => {
    expect((await recur(['--version'])).code).toBe(0);
    const dataDir = mkdtempSync(join(tmpdir(), 'recur-compiled-start-'));
    try {
      const running = await startRecur({ cwd: dataDir, env: { RECUR_DATA_DIR: join(dataDir, 'data'), SANDBOX: 'off', STRIPE_WEBHOOK_SECRET: 'whsec_compiled_cli_test', LINK_SIGNING_SECRET: 'the compiled CLI test link-signing key, 32+ characters' }, bin: join(checkout, 'bin/recur.js') });
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
      // The docs are built at their first request: several at once share them.
      const [document, page, pageCopy] = await Promise.all([fetch(`${running.url}/openapi.json`), fetch(`${running.url}/docs/`), fetch(`${running.url}/docs/json`)]);
      expect([document.status, page.status, pageCopy.status]).toEqual([200, 200, 200]);
      const openapi = (await document.json()) as { openapi: string; paths: Record<string, unknown> };
      expect(openapi.paths).toHaveProperty('/v1/customers');
      expect(await pageCopy.json()).toEqual(openapi);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('swagger-ui');
      const script = await fetch(`${running.url}/docs/static/swagger-ui-bundle.js`);
      expect(script.status).toBe(200);
      expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
      const refused = await fetch(`${running.url}/v1/plans`);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBeTruthy();
      expect((await running.stop('SIGTERM')).code).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
   }, 120_000);

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
