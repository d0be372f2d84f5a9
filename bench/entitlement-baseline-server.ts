/**
 * The entitlement bench's baseline: the least an entitlement endpoint can do and still be
 * correct. Fastify, a pg pool of 10, per request the key checked by its hash and the customer's
 * subscriptions read with a join, both as prepared statements, the domain's decision, JSON.
 * Run as its own process, like recur, so both pay the same process and network costs.
 *
 *   node --import tsx bench/entitlement-baseline-server.ts <postgres url>
 */
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { decideEntitlement, type EntitlementSubscription } from '../src/domain/entitlement.ts';

const [url] = process.argv.slice(2);
if (!url) {
  process.stderr.write('usage: entitlement-baseline-server.ts <postgres url>\n');
  process.exit(64);
}

const pool = new pg.Pool({ connectionString: url, max: 10 });
const KEY = 'SELECT id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL';
const FACTS = `SELECT c.banned, s.id, s.status, s.trial_end, s.current_period_end, s.cancel_at_period_end, s.canceled_at, s.past_due_since
  FROM customers c LEFT JOIN subscriptions s ON s.customer_id = c.id WHERE c.external_id = $1 ORDER BY s.created_at DESC, s.id DESC`;

type Row = { banned: boolean; id: string | null; status: EntitlementSubscription['status']; trial_end: Date | null; current_period_end: Date | null; cancel_at_period_end: boolean; canceled_at: Date | null; past_due_since: Date | null };

const app = Fastify({ logger: false });
app.get<{ Params: { id: string } }>('/v1/customers/:id/entitlement', async (request, reply) => {
  const key = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  const hash = key ? createHash('sha256').update(key).digest('hex') : '';
  if ((await pool.query({ name: 'key', text: KEY, values: [hash] })).rows.length === 0) return reply.status(401).send({ error: 'unauthorized' });
  const rows = (await pool.query<Row>({ name: 'facts', text: FACTS, values: [request.params.id] })).rows;
  if (rows.length === 0) return reply.status(404).send({ error: 'not found' });
  const now = new Date();
  if (rows[0]!.banned) return { customer: request.params.id, entitled: false, reason: 'banned', until: null, subscription_id: null, checked_at: now.toISOString() };
  const subscriptions = rows.flatMap((row) => (row.id === null ? [] : [{ id: row.id, status: row.status, trialEnd: row.trial_end, currentPeriodEnd: row.current_period_end, cancelAtPeriodEnd: row.cancel_at_period_end, canceledAt: row.canceled_at, pastDueSince: row.past_due_since }]));
  const decision = decideEntitlement(subscriptions, now, { pastDueGraceDays: 7 });
  return {
    customer: request.params.id,
    entitled: decision.entitled,
    reason: decision.reason,
    until: decision.entitled && decision.until ? decision.until.toISOString() : null,
    subscription_id: decision.entitled && 'subscriptionId' in decision ? decision.subscriptionId : null,
    checked_at: now.toISOString(),
  };
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`entitlement baseline listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
