/**
 * The bench's baseline: the least a webhook receiver can do and still be correct. Fastify, the
 * raw body, the official SDK's signature check, one INSERT ... ON CONFLICT DO NOTHING, 200.
 * Run as its own process, like recur, so both pay the same process and network costs. With a
 * PayPal signing certificate and webhook id, `/webhooks/paypal` does the same for PayPal: CRC-32
 * of the raw bytes and SHA256withRSA with that certificate, already in memory (no fetch, no chain).
 *
 *   node --import tsx bench/baseline-server.ts <secret> pglite <dir> | postgres <url> [<paypal cert file> <webhook id>]
 */
import { PGlite } from '@electric-sql/pglite';
import { verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import Fastify from 'fastify';
import pg from 'pg';
import Stripe from 'stripe';

const [secret, engine, location, paypalCertificateFile, paypalWebhookId] = process.argv.slice(2);
if (!secret || !location || (engine !== 'pglite' && engine !== 'postgres')) {
  process.stderr.write('usage: baseline-server.ts <secret> pglite <dir> | postgres <url>\n');
  process.exit(64);
}

type Insert = (id: string, payload: string) => Promise<void>;
const CREATE = 'CREATE TABLE IF NOT EXISTS baseline_events (id text PRIMARY KEY, payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())';
const INSERT = 'INSERT INTO baseline_events (id, payload) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING';

async function openInsert(): Promise<{ insert: Insert; close(): Promise<void> }> {
  if (engine === 'pglite') {
    const db = new PGlite(location);
    await db.exec(CREATE);
    return { insert: async (id, payload) => void (await db.query(INSERT, [id, payload])), close: () => db.close() };
  }
  const pool = new pg.Pool({ connectionString: location, max: 10 });
  await pool.query(CREATE);
  return { insert: async (id, payload) => void (await pool.query(INSERT, [id, payload])), close: () => pool.end() };
}

const store = await openInsert();
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/webhooks/stripe', async (request, reply) => {
  const raw = request.body as Buffer;
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(raw, String(request.headers['stripe-signature'] ?? ''), secret, 300);
  } catch {
    return reply.status(400).send({ error: 'bad signature' });
  }
  await store.insert(event.id, raw.toString('utf8'));
  return reply.status(200).send({ received: true });
});
if (paypalCertificateFile && paypalWebhookId) {
  const publicKey = new X509Certificate(readFileSync(paypalCertificateFile)).publicKey;
  app.post('/webhooks/paypal', async (request, reply) => {
    const raw = request.body as Buffer;
    const header = (name: string) => String(request.headers[name] ?? '');
    const message = `${header('paypal-transmission-id')}|${header('paypal-transmission-time')}|${paypalWebhookId}|${crc32(raw)}`;
    if (!verify('sha256', Buffer.from(message), publicKey, Buffer.from(header('paypal-transmission-sig'), 'base64'))) return reply.status(400).send({ error: 'bad signature' });
    const event = JSON.parse(raw.toString('utf8')) as { id: string };
    await store.insert(event.id, raw.toString('utf8'));
    return reply.status(200).send({ received: true });
  });
}
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`baseline listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);

const stop = async () => {
  await app.close();
  await store.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
