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
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`,
    /** Everything captured since the last call. */
    take: () => events.splice(0),
    /** Sends one event to `url`, signed at `nowMs`; the status recur answered. */
    async deliver(url: string, event: CapturedEvent, nowMs: number): Promise<number> {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signatureHeader(event.body, secret, Math.floor(nowMs / 1000)) },
        body: event.body,
        signal: AbortSignal.timeout(20_000),
      });
      await response.arrayBuffer();
      return response.status;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
