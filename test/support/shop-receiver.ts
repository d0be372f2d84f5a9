import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type ReceivedRequest = { headers: IncomingHttpHeaders; body: string; answered: number | 'hung' };
export type ReceiverMode = 'ok' | 'fail' | 'hang' | 'redirect';

/**
 * The shop's webhook receiver: keeps every request and answers as told (204; 500; never, until
 * the connection is dropped; a 302 to `redirectTo`). `verified` checks every accepted request with
 * the `standardwebhooks` package, as a shop would.
 */
export async function startShopReceiver(options: { redirectTo?: string } = {}) {
  const requests: ReceivedRequest[] = [];
  let mode: ReceiverMode = 'ok';
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const received: ReceivedRequest = { headers: request.headers, body, answered: 'hung' };
      requests.push(received);
      if (mode === 'hang') return;
      if (mode === 'redirect') {
        received.answered = 302;
        response.writeHead(302, { location: options.redirectTo ?? 'http://127.0.0.1:1/' }).end();
        return;
      }
      received.answered = mode === 'ok' ? 204 : 500;
      if (mode === 'ok') response.writeHead(204).end();
      else response.writeHead(500, { 'content-type': 'text/plain' }).end('receiver is down for maintenance');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    setMode(next: ReceiverMode) {
      mode = next;
    },
    /** The requests answered 2xx. */
    accepted: () => requests.filter((request) => typeof request.answered === 'number' && request.answered < 300),
    /** Verifies a request with `secret` as a shop would; the parsed payload, or the error. */
    verify(request: ReceivedRequest, secret: string): { ok: true; payload: { type: string; timestamp: string; data: Record<string, unknown> } } | { ok: false; error: string } {
      try {
        const headers = { 'webhook-id': String(request.headers['webhook-id']), 'webhook-timestamp': String(request.headers['webhook-timestamp']), 'webhook-signature': String(request.headers['webhook-signature']) };
        return { ok: true, payload: new Webhook(secret).verify(request.body, headers) as { type: string; timestamp: string; data: Record<string, unknown> } };
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
