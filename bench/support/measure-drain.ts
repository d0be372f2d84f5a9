import { join } from 'node:path';
import pg from 'pg';
import { openPGlite } from '../../src/db/pglite-database.ts';
import { generateApiKey } from '../../src/services/api-keys/api-key-secret.ts';
import { signStripeBody, subscriptionUpdatedBody } from './signed-events.ts';
import { launchRecur, recurEnvironment, scratchDatabase, stopper, thisCheckout, type Engine, type RecurLaunch } from './targets.ts';

export type Drain = { events: number; seconds: number; drained: boolean; left: number; eventsPerSecond: number };

const BACKLOG_SQL = `INSERT INTO webhook_inbox (provider, provider_event_id, type, payload, provider_created_at, received_at)
  SELECT 'stripe', 'evt_backlog_' || n, 'customer.subscription.updated', $1::jsonb, now(), now() FROM generate_series(1, $2::int) AS n`;
const KEY_SQL = 'INSERT INTO api_keys (name, key_hash, key_prefix, created_at) VALUES ($1, $2, $3, now())';

/** Rows and an API key written straight into recur's database while recur is stopped. */
async function preload(engine: Engine, location: string, events: number, keyHash: string, keyPrefix: string): Promise<void> {
  const payload = subscriptionUpdatedBody('backlog', 0, Math.floor(Date.now() / 1000));
  if (engine === 'pglite') {
    const db = await openPGlite({ dataDir: join(location, 'pgdata') });
    await db.query(BACKLOG_SQL, [payload, events]);
    await db.query(KEY_SQL, ['bench', keyHash, keyPrefix]);
    await db.close();
    return;
  }
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  await client.query(BACKLOG_SQL, [payload, events]);
  await client.query(KEY_SQL, ['bench', keyHash, keyPrefix]);
  await client.query('VACUUM ANALYZE webhook_inbox');
  await client.end();
}

/** Rows still to be worked, through recur's own API (the embedded database is recur's alone while it runs). */
async function rowsLeft(baseUrl: string, key: string): Promise<number> {
  let left = 0;
  for (const status of ['received', 'processing', 'failed']) {
    const response = await fetch(`${baseUrl}/v1/webhook-events?status=${status}&limit=100`, { headers: { authorization: `Bearer ${key}` } });
    if (!response.ok) throw new Error(`listing inbox events answered ${response.status}`);
    const page = (await response.json()) as { data: unknown[]; has_more: boolean };
    left += page.data.length + (page.has_more ? 1 : 0);
  }
  return left;
}

/**
 * A backlog of `events` rows, no processor configured (each is marked ignored): recur is started
 * on it, one webhook wakes the worker, and the clock runs from the start of the process until
 * nothing is left to work (or the cap, then the rows still due are reported).
 */
export async function measureDrain(engine: Engine, secret: string, adminUrl: string, options: { events: number; capSeconds: number; launch?: RecurLaunch; label: string }): Promise<Drain> {
  const launch = options.launch ?? thisCheckout;
  const database = await scratchDatabase(engine, adminUrl, `drain_${options.label}`);
  const env = recurEnvironment(engine, secret, database.location);
  try {
    // A first start creates the schema; the backlog is written while recur is stopped.
    const first = launchRecur(env, launch);
    await first.url;
    await stopper(first.child, async () => {})();
    const apiKey = generateApiKey();
    await preload(engine, database.location, options.events, apiKey.keyHash, apiKey.keyPrefix);

    // From the start of the process: a build that works due rows at start is not flattered.
    const startedAt = performance.now();
    const { child, url } = launchRecur(env, launch);
    const baseUrl = await url;
    const stop = stopper(child, async () => {});
    try {
      const now = Math.floor(Date.now() / 1000);
      const body = subscriptionUpdatedBody(`wake_${options.label}`, 0, now);
      const wake = await fetch(`${baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signStripeBody(body, secret, now) }, body });
      if (wake.status !== 200) throw new Error(`the waking webhook answered ${wake.status}`);
      let left = await rowsLeft(baseUrl, apiKey.key);
      while (left > 0 && performance.now() - startedAt < options.capSeconds * 1000) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        left = await rowsLeft(baseUrl, apiKey.key);
      }
      const seconds = (performance.now() - startedAt) / 1000;
      if (left === 0) return { events: options.events + 1, seconds, drained: true, left: 0, eventsPerSecond: (options.events + 1) / seconds };
      const remaining = await countLeft(engine, database.location, stop);
      return { events: options.events + 1, seconds, drained: false, left: remaining, eventsPerSecond: (options.events + 1 - remaining) / seconds };
    } finally {
      await stop();
    }
  } finally {
    await database.drop();
  }
}

/** After the cap: recur is stopped (the embedded database is then free) and the rows still due are counted. */
async function countLeft(engine: Engine, location: string, stop: () => Promise<void>): Promise<number> {
  await stop();
  const sql = "SELECT count(*)::int AS n FROM webhook_inbox WHERE status IN ('received', 'processing', 'failed')";
  if (engine === 'pglite') {
    const db = await openPGlite({ dataDir: join(location, 'pgdata') });
    const result = await db.query<{ n: number }>(sql);
    await db.close();
    return result.rows[0]!.n;
  }
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  const result = await client.query<{ n: number }>(sql);
  await client.end();
  return result.rows[0]!.n;
}
