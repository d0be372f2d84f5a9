import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import { killSpawnedProcesses, runRecur } from '../fixtures/recur-process.ts';
import { KEY } from '../sandbox/stripe/stripe-kit.ts';
import type { RunningRecur } from '../stripe/running-recur.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { expectEverythingRecovered, setUpMissedWebhooks } from './missed-webhooks.ts';

/**
 * Issue 4, section 3, "done when": webhooks switched off at Stripe for a while, then a sync; what
 * was missed is recovered, and the drift report names what was repaired. A second run repairs nothing.
 */
describe.each(testDatabaseKinds)('recur sync stripe after missed webhooks, on %s', (kind) => {
  let running: RunningRecur | null = null;
  const track = (recur: RunningRecur) => {
    running = recur;
  };
  const cwd = mkdtempSync(join(tmpdir(), 'recur-sync-'));
  afterEach(async () => {
    await killSpawnedProcesses();
    await running?.close();
    running = null;
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('recovers everything through the service (as the scheduled job runs it), then finds nothing more', async () => {
    const scenario = await setUpMissedWebhooks(kind, track);
    const { t } = scenario.recur;
    const first = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'schedule' });
    expect(first.status).toBe('succeeded');
    const run = await expectEverythingRecovered(scenario, kind);
    expect(run.id).toBe(first.id);

    const second = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'schedule' });
    expect([second.status, second.counts]).toEqual(['succeeded', {}]);
  }, 90_000);

  if (kind === 'postgres') {
    it('recovers everything through the real `recur sync stripe` process beside the running service', async () => {
      const scenario = await setUpMissedWebhooks(kind, track);
      const { kit, t } = scenario.recur;
      const env = { DATABASE_URL: t.database.url!, STRIPE_SECRET_KEY: KEY, STRIPE_API_BASE: kit.sandbox.url, LOG_LEVEL: 'silent' };
      const sync = await runRecur(['sync', 'stripe'], { cwd, env, timeoutMs: 60_000 });
      expect(sync.code, sync.stderr).toBe(0);
      const run = await expectEverythingRecovered(scenario, kind);
      expect(sync.stdout).toContain(`reconciliation run ${run.id} succeeded`);
      expect(sync.stdout).toMatch(/^ {2}stale_cancel_flag 1$/m);
      expect(sync.stdout).toContain(`drift report: GET /v1/reconciliation/runs/${run.id}`);
      // Not a terminal: plain progress lines, one per phase.
      expect(sync.stderr).toMatch(/^subscriptions: 1 page, 1 objects, done$/m);

      const again = await runRecur(['sync', 'stripe'], { cwd, env, timeoutMs: 60_000 });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('no drift: recur and Stripe agree');
    }, 90_000);
  }
});
