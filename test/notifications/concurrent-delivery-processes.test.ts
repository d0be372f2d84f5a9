import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { insertNotice } from '../../src/db/repositories/notification-outbox-repository.ts';
import type { RunningSandbox } from '../../sandbox/core/start-sandbox.ts';
import { killSpawnedProcesses, recurBin, repoRoot, spawnNode, waitForExit, describeOutput } from '../fixtures/recur-process.ts';
import { startMessagingSandbox } from '../sandbox/messaging/support/messaging-kit.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

const ROWS = 300;

/**
 * Two `recur notices deliver` processes at once on one PostgreSQL outbox: every notice is sent
 * exactly once (each row is claimed by one of them). The embedded database admits one process
 * only, so this runs where PostgreSQL does.
 */
describe.runIf(testDatabaseKinds.includes('postgres'))('two delivery processes on one PostgreSQL outbox', () => {
  let database: TestDatabase | null = null;
  let sandbox: RunningSandbox | null = null;
  afterEach(async () => {
    await killSpawnedProcesses();
    await database?.dispose();
    await sandbox?.stop();
  });
  afterAll(killSpawnedProcesses);

  it(`sends each of ${ROWS} notices once`, async () => {
    database = await openTestDatabase('postgres');
    sandbox = await startMessagingSandbox();
    const { sendgrid } = sandbox.describe().providers as { sendgrid: { baseUrl: string; apiKey: string } };
    // Due before now on any clock: the child processes read the real time.
    const due = new Date('2020-01-01T00:00:00Z');
    const db = database.db;
    await db.transaction(async (tx) => {
      for (let index = 0; index < ROWS; index++) {
        await insertNotice(tx, {
          businessKey: `alert:job-failed:test:${index}`,
          customerId: null,
          subscriptionId: null,
          channel: 'email',
          template: 'admin-alert-job-failure',
          recipient: `admin-${index}@example.nl`,
          locale: 'en',
          payload: { job: 'test', job_id: String(index), attempts: 3, error: 'boom' },
          dueAt: due,
          now: due,
        });
      }
    });

    const env = { DATABASE_URL: database.url!, SENDGRID_API_KEY: sendgrid.apiKey, SENDGRID_FROM: 'recur <alerts@recur.test>', SENDGRID_API_BASE: sendgrid.baseUrl, LINK_SIGNING_SECRET: 'the link-signing key of this test, 32+ characters', LOG_LEVEL: 'silent' };
    const workers = [0, 1].map(() => spawnNode([recurBin, 'notices', 'deliver', '--max', String(ROWS)], { cwd: repoRoot, env }));
    for (const worker of workers) {
      const exit = await waitForExit(worker, 120_000);
      expect(exit.code, describeOutput(worker)).toBe(0);
    }

    const mails = ((await (await fetch(`${sandbox.url}/sandbox/mail`)).json()) as { data: { custom_args: Record<string, string> }[] }).data;
    const outboxIds = mails.map((mail) => mail.custom_args['outbox_id']);
    expect(mails).toHaveLength(ROWS);
    expect(new Set(outboxIds).size).toBe(ROWS);
    const statuses = await db.query<{ status: string; attempts: number; n: number }>('SELECT status, attempts, count(*)::int AS n FROM notification_outbox GROUP BY status, attempts');
    expect(statuses.rows).toEqual([{ status: 'sent', attempts: 1, n: ROWS }]);
    const sentBy = workers.map((worker) => Number(/sent (\d+)/.exec(worker.stdout())?.[1] ?? 0));
    expect(sentBy[0]! + sentBy[1]!).toBe(ROWS);
    console.info(`[postgres] two delivery processes: ${JSON.stringify({ rows: ROWS, sentBy })}`);
  }, 180_000);
});
