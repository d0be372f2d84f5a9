import { request as httpRequest, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxiedRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  status: number;
  responseHeaders: IncomingHttpHeaders;
};

export type ProxyOptions = {
  /** Base URLs to forward to; round robin, the next one when a target refuses the connection. */
  targets: () => string[];
  /** Changes a request's headers before it is forwarded (e.g. re-signing a webhook). */
  rewrite?: (request: { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer }) => IncomingHttpHeaders;
  /** Called with every request that got an answer from a target. */
  record?: (request: ProxiedRequest) => void;
};

export type RunningProxy = { url: string; stop(): Promise<void> };

/**
 * A small HTTP proxy for tests: a round-robin load balancer in front of several recur processes
 * (a target that refuses the connection, e.g. one just killed, is skipped as a real balancer's
 * health check would; 502 when none answers), or a recorder in front of one emulator.
 */
export async function startHttpProxy(options: ProxyOptions): Promise<RunningProxy> {
  let next = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = incoming.method ?? 'GET';
      const path = incoming.url ?? '/';
      const headers = options.rewrite ? options.rewrite({ method, path, headers: incoming.headers, body }) : incoming.headers;
      const targets = options.targets();
      const attempt = (tried: number): void => {
        if (tried >= targets.length) {
          outgoing.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'bad_gateway', message: 'no target answered' } }));
          return;
        }
        const target = new URL(targets[next++ % targets.length]!);
        const forwarded = httpRequest(
          { host: target.hostname, port: target.port, method, path, headers: { ...headers, host: target.host, 'content-length': String(body.length) } },
          (answer) => {
            const answerChunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
            answer.on('end', () => {
              const status = answer.statusCode ?? 502;
              options.record?.({ method, path, headers, body, status, responseHeaders: answer.headers });
              outgoing.writeHead(status, answer.headers).end(Buffer.concat(answerChunks));
            });
            answer.on('error', () => outgoing.destroy());
          },
        );
        forwarded.on('error', (error: NodeJS.ErrnoException) => {
          // Refused before anything was sent: safe to try another target. Anything else (a target
          // killed mid-request) is answered 502, as a balancer would, and the sender retries.
          if (error.code === 'ECONNREFUSED') attempt(tried + 1);
          else if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'bad_gateway', message: error.message } }));
        });
        forwarded.end(body);
      };
      attempt(0);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
