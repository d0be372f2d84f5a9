/**
 * The shop's side of the outgoing webhook bench: a minimal node:http receiver that verifies every
 * delivery with the `standardwebhooks` package (as a shop is told to) and answers 204, after
 * `latencyMs` when given (a receiver that does real work before answering). Its own process, as a
 * shop's server is, so its CPU is not recur's. Each endpoint posts to its own path, verified with
 * that endpoint's secret.
 *
 *   node --import tsx bench/outgoing-receiver.ts <latencyMs>
 *
 * Control, on the same port: PUT /control/secrets {"/hooks/0": "whsec_…"} (clears the counts),
 * GET /control/stats -> { received, rejected, duplicates, firstAt, lastAt } (epoch ms).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

const latencyMs = Number(process.argv[2] ?? '0');
if (!Number.isInteger(latencyMs) || latencyMs < 0) {
  process.stderr.write('usage: outgoing-receiver.ts <latencyMs>\n');
  process.exit(64);
}

let verifiers = new Map<string, Webhook>();
let seen = new Set<string>();
let stats = { received: 0, rejected: 0, duplicates: 0, firstAt: 0, lastAt: 0 };

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

/** True when the delivery carries a valid signature of the endpoint's secret. */
function verified(path: string, body: string, headers: IncomingMessage['headers']): boolean {
  const verifier = verifiers.get(path);
  if (!verifier) return false;
  try {
    verifier.verify(body, { 'webhook-id': String(headers['webhook-id']), 'webhook-timestamp': String(headers['webhook-timestamp']), 'webhook-signature': String(headers['webhook-signature']) });
    return true;
  } catch {
    return false;
  }
}

const server = createServer((request, response) => {
  void readBody(request).then((body) => {
    const path = request.url ?? '/';
    if (path === '/control/secrets' && request.method === 'PUT') {
      verifiers = new Map(Object.entries(JSON.parse(body) as Record<string, string>).map(([hook, secret]) => [hook, new Webhook(secret)]));
      seen = new Set();
      stats = { received: 0, rejected: 0, duplicates: 0, firstAt: 0, lastAt: 0 };
      response.writeHead(204).end();
      return;
    }
    if (path === '/control/stats') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
      return;
    }
    if (!verified(path, body, request.headers)) {
      stats.rejected += 1;
      response.writeHead(400).end();
      return;
    }
    const answer = () => {
      const id = String(request.headers['webhook-id']);
      if (seen.has(id)) stats.duplicates += 1;
      else {
        seen.add(id);
        stats.received += 1;
      }
      const now = Date.now();
      if (stats.firstAt === 0) stats.firstAt = now;
      stats.lastAt = now;
      response.writeHead(204).end();
    };
    if (latencyMs > 0) setTimeout(answer, latencyMs);
    else answer();
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`receiver listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
