import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/postgres-database.ts';
import { resolveLinkSecret } from '../../src/services/notifications/resolve-link-secret.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

const NOW = new Date('2026-03-01T10:00:00Z');

describe.each(testDatabaseKinds)('the link signing secret (%s)', (kind) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  const storedSecrets = async () => (await database!.db.query<{ name: string; secret: string }>('SELECT name, secret FROM service_secrets')).rows;

  it('uses LINK_SIGNING_SECRET when it is configured, and stores nothing', async () => {
    database = await openTestDatabase(kind);
    expect(await resolveLinkSecret(database.db, 'configured-secret-of-at-least-32-chars', NOW)).toBe('configured-secret-of-at-least-32-chars');
    expect(await storedSecrets()).toEqual([]);
  });

  it('otherwise makes 32 random bytes once and keeps them across restarts', async () => {
    database = await openTestDatabase(kind);
    const first = await resolveLinkSecret(database.db, undefined, NOW);
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    expect(await resolveLinkSecret(database.db, undefined, new Date(NOW.getTime() + 86_400_000))).toBe(first);
    const stored = await database.db.query<{ name: string; secret: string; created_at: Date }>('SELECT name, secret, created_at FROM service_secrets');
    expect(stored.rows).toEqual([{ name: 'link-signing', secret: first, created_at: NOW }]);
  });

  it('gives processes that start at the same moment one and the same secret', async () => {
    database = await openTestDatabase(kind);
    // On PostgreSQL a second pool stands for a second process; PGlite has one connection.
    const other = database.url ? openPostgres(database.url) : null;
    try {
      const secrets = await Promise.all(Array.from({ length: 8 }, (_, index) => resolveLinkSecret(index % 2 === 0 || !other ? database!.db : other, undefined, NOW)));
      expect(new Set(secrets).size).toBe(1);
      expect((await storedSecrets()).map((row) => row.secret)).toEqual([secrets[0]]);
    } finally {
      await other?.close();
    }
  });
});
