import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, runRecur } from '../fixtures/recur-process.ts';
import { KEY, startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';

describe('recur plans sync (the command)', () => {
  let kit: StripeKit;
  let cwd: string;
  beforeAll(async () => {
    kit = await startStripe();
    cwd = mkdtempSync(join(tmpdir(), 'recur-plans-sync-'));
  });
  afterEach(() => killSpawnedProcesses());
  afterAll(async () => {
    await kit.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('prints what it created, then what it found, against the sandbox', async () => {
    const env = { STRIPE_SECRET_KEY: KEY, STRIPE_API_BASE: kit.sandbox.url };
    const first = await runRecur(['plans', 'sync'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^monthly {2}product prod_\S+ \(created\) {2}price price_\S+ \(created\) {2}lookup_key recur_monthly$/m);
    const second = await runRecur(['plans', 'sync'], { cwd, env });
    expect(second.stdout.match(/\(found\)/g)).toHaveLength(4);
    expect((await kit.stripe.prices.list({ limit: 100 })).data).toHaveLength(2);
  });

  it('says what is missing without a key', async () => {
    const run = await runRecur(['plans', 'sync'], { cwd, env: {} });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('STRIPE_SECRET_KEY');
  });
});
