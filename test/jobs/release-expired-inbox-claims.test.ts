import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseExpiredInboxClaims } from '../../src/jobs/release-expired-inbox-claims.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

describe.each(testDatabaseKinds)('releasing expired inbox claims on %s', (kind) => {
  let database: TestDatabase;
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database.dispose());

  const insert = (eventId: string, status: string, leaseExpiresAt: Date | null) =>
    database.db.query(
      `INSERT INTO webhook_inbox (provider, provider_event_id, type, payload, status, lease_expires_at, received_at)
       VALUES ('stripe', $1, 'invoice.paid', '{}', $2, $3, $4)`,
      [eventId, status, leaseExpiresAt, clock.now()],
    );

  it('hands back only rows whose processing lease has lapsed', async () => {
    await insert('evt_stuck', 'processing', new Date('2026-03-01T09:55:00Z'));
    await insert('evt_busy', 'processing', new Date('2026-03-01T10:05:00Z'));
    await insert('evt_done', 'processed', null);

    expect(await releaseExpiredInboxClaims({ db: database.db, clock })).toBe(1);
    const rows = await database.db.query<{ provider_event_id: string; status: string; next_attempt_at: Date | null; last_error: string | null }>(
      'SELECT provider_event_id, status, next_attempt_at, last_error FROM webhook_inbox ORDER BY id',
    );
    expect(rows.rows).toEqual([
      { provider_event_id: 'evt_stuck', status: 'failed', next_attempt_at: clock.now(), last_error: expect.stringContaining('lease expired') },
      { provider_event_id: 'evt_busy', status: 'processing', next_attempt_at: null, last_error: null },
      { provider_event_id: 'evt_done', status: 'processed', next_attempt_at: null, last_error: null },
    ]);
    expect(await releaseExpiredInboxClaims({ db: database.db, clock })).toBe(0);
  });
});
