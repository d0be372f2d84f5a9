import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureHeader } from '../../sandbox/stripe/events/sign-payload.ts';

export type CapturedEvent = { id: string; type: string; body: string };

/**
 * A Stripe webhook endpoint that takes every delivery (200) and keeps it, so a test decides when,
 * how often and in which order recur receives each event.
 */
export async function startWebhookCapture(secret: string) {
  const events: CapturedEvent[] = [];
  const seen = new Set<string>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const event = JSON.parse(body) as { id: string; type: string };
      if (!seen.has(event.id)) {
        seen.add(event.id);
        events.push({ id: event.id, type: event.type, body });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  /** Sends one event to `url`, signed at `nowMs`: the status recur answered, and a line saying what it answered and when, for an assertion's message. */
  async function deliverAndTell(url: string, event: CapturedEvent, nowMs: number): Promise<{ status: number; told: string }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signatureHeader(event.body, secret, Math.floor(nowMs / 1000)) },
      body: event.body,
      signal: AbortSignal.timeout(20_000),
    });
    const answer = await response.text();
    const told = `${event.type} ${event.id} answered ${response.status}: ${answer.slice(0, 300)} (signed at ${new Date(nowMs).toISOString()}, real ${new Date().toISOString()}, ${url})`;
    if (response.status >= 400) console.warn(`[webhook-capture] ${told}`);
    return { status: response.status, told };
  }
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`,
    /** Everything captured since the last call. */
    take: () => events.splice(0),
    /** Sends one event to `url`, signed at `nowMs`; the status recur answered. */
    deliver: async (url: string, event: CapturedEvent, nowMs: number): Promise<number> => (await deliverAndTell(url, event, nowMs)).status,
    deliverAndTell,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
