import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDefaultSandbox } from '../../sandbox/start-default-sandbox.ts';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import { createStripeClient } from '../../src/providers/payments/stripe/create-stripe-client.ts';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import { syncPlansToProvider } from '../../src/services/sync/sync-plans-to-providers.ts';
import { killSpawnedProcesses, runRecur } from '../fixtures/recur-process.ts';

// `npm start` without keys syncs the plans to its sandbox; `recur plans list` in a second
// terminal must then say so, as checkout sees it: by the price's lookup key at that Stripe.
describe('recur plans list shows what is synced where', { timeout: 180_000 }, () => {
  let cwd: string;
  let sandbox: Awaited<ReturnType<typeof startDefaultSandbox>>;
  let port: string;
  const apiKey = 'sk_test_recur_sandbox';

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'recur-plans-list-'));
    sandbox = await startDefaultSandbox({ port: 0, host: '127.0.0.1' });
    port = new URL(sandbox.url).port;
  });
  afterEach(() => killSpawnedProcesses());
  afterAll(async () => {
    await sandbox?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('says "not synced" while the running sandbox has no prices, then the prices once synced', async () => {
    const before = await runRecur(['plans', 'list'], { cwd, env: { SANDBOX_PORT: port } });
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/^monthly .*\[stripe: not synced \(no price with lookup key recur_monthly\): run `recur plans sync`\]\n/);

    const synced = await syncPlansToProvider(createStripeGateway(createStripeClient({ secretKey: apiKey, apiBase: sandbox.url })), defaultCatalogue.plans, 'en');
    const [keyless, withKey] = await Promise.all([
      runRecur(['plans', 'list'], { cwd, env: { SANDBOX_PORT: port } }),
      runRecur(['plans', 'list', '--json'], { cwd, env: { STRIPE_SECRET_KEY: apiKey, STRIPE_API_BASE: sandbox.url } }),
    ]);
    expect(keyless.code, keyless.stderr).toBe(0);
    expect(keyless.stderr).toBe(`prices as the sandbox's stripe at http://127.0.0.1:${port} has them:\n`);
    expect(keyless.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^monthly  Monthly  EUR 29\\.99 per month  trial 30 days  \\[stripe: ${synced[0]!.priceId} \\(recur_monthly\\)\\]$`)),
      expect.stringMatching(new RegExp(`^yearly  Yearly  EUR 299\\.90 per year  trial 30 days  saves .*\\[stripe: ${synced[1]!.priceId} \\(recur_yearly\\)\\]$`)),
    ]);

    expect(withKey.code, withKey.stderr).toBe(0);
    const listing = JSON.parse(withKey.stdout) as { id: string; stripe: unknown }[];
    expect(listing.map(({ id, stripe }) => ({ id, stripe }))).toEqual([
      { id: 'monthly', stripe: { checked: true, where: `stripe at ${sandbox.url}`, state: 'synced', priceId: synced[0]!.priceId, lookupKey: 'recur_monthly' } },
      { id: 'yearly', stripe: { checked: true, where: `stripe at ${sandbox.url}`, state: 'synced', priceId: synced[1]!.priceId, lookupKey: 'recur_yearly' } },
    ]);
  });
});
