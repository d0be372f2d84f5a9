import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverNotificationsJob, DELIVER_NOTIFICATIONS, DELIVER_NOTIFICATIONS_KEY } from '../../src/jobs/deliver-notifications.ts';
import type { JobDefinition } from '../../src/jobs/job-definition.ts';
import { startJobEngine } from '../../src/jobs/job-engine.ts';
import { processWebhookInboxJob, PROCESS_WEBHOOK_INBOX, PROCESS_WEBHOOK_INBOX_KEY } from '../../src/jobs/process-webhook-inbox.ts';
import type { ServiceContext } from '../../src/services/service-context.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

/**
 * Several `recur start` processes share one PostgreSQL. When one is killed (SIGKILL, OOM) while it
 * runs the inbox pass or the notice delivery pass, that run stays 'active' in the queue until it
 * expires (90 s and 10 minutes, plus the 30 s maintenance tick). The next run, asked for by the
 * next webhook on a live process, must not wait for that: found by the several-instances fault
 * test, where webhooks stayed unapplied for minutes after a kill.
 */
describe.runIf(testDatabaseKinds.includes('postgres'))('a pass left active by a killed process, on postgres', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    await database?.dispose();
  });

  // The catalogue's definitions (policy, expiry), with a handler that only says it ran.
  const cases: [string, string, (ctx: ServiceContext) => JobDefinition<unknown>][] = [
    [PROCESS_WEBHOOK_INBOX, PROCESS_WEBHOOK_INBOX_KEY, processWebhookInboxJob as (ctx: ServiceContext) => JobDefinition<unknown>],
    [DELIVER_NOTIFICATIONS, DELIVER_NOTIFICATIONS_KEY, deliverNotificationsJob as (ctx: ServiceContext) => JobDefinition<unknown>],
  ];

  it.each(cases)('%s runs again at once on a live process', async (name, key, define) => {
    let ran = 0;
    const job: JobDefinition<unknown> = { ...define({} as ServiceContext), cron: undefined, handle: async () => void (ran += 1) };
    const logger = createLogger('silent');
    // The killed process: it had claimed a run and never finished it.
    const killed = await startJobEngine({ db: database.db, jobs: [job], logger, pollIntervalSeconds: 0.5, work: false });
    await killed.enqueue(name, {}, { singletonKey: key });
    await killed.stop();
    const claimed = await database.db.query("UPDATE pgboss.job SET state = 'active', started_on = now() WHERE name = $1 AND state = 'created' RETURNING id", [name]);
    expect(claimed.rows.length).toBe(1);

    const live = await startJobEngine({ db: database.db, jobs: [job], logger, pollIntervalSeconds: 0.5 });
    try {
      await live.enqueue(name, {}, { singletonKey: key });
      const deadline = Date.now() + 15_000;
      while (ran === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ran, `${name} did not run while a dead process's run was active`).toBe(1);
    } finally {
      await live.stop();
    }
  }, 60_000);
});
