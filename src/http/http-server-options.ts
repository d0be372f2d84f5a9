import type { ServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import type { Settings } from '../config/settings-schema.ts';

export type HttpServerSettings = Pick<Settings, 'HTTP_HEADERS_TIMEOUT_SECONDS' | 'HTTP_REQUEST_TIMEOUT_SECONDS' | 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS' | 'TRUST_PROXY'>;

// A socket silent this long in any phase is closed: a client that stopped reading its answer.
// Longer than the slowest work recur waits on before it answers (provider calls time out at 20 s).
const IDLE_SOCKET_MS = 120_000;
// Node checks the header and request deadlines on a timer (30 s by default, which would let a slow
// client hold a connection up to 30 s past them); once a second costs a walk over open connections.
const DEADLINE_CHECK_MS = 1_000;

type HttpServerOptions = Pick<FastifyServerOptions, 'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout' | 'trustProxy'> & { http: ServerOptions };

/**
 * How long a client may take: headers, then the whole request (a body trickled a byte at a time
 * is answered 408 at the deadline), then idle keep-alive; and which proxies name the client.
 */
export function buildHttpServerOptions(settings: HttpServerSettings): HttpServerOptions {
  const requestTimeout = settings.HTTP_REQUEST_TIMEOUT_SECONDS * 1000;
  return {
    requestTimeout,
    connectionTimeout: Math.max(IDLE_SOCKET_MS, requestTimeout),
    keepAliveTimeout: settings.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    // Node's own options: read when the server is created, before Fastify sets requestTimeout.
    http: { headersTimeout: settings.HTTP_HEADERS_TIMEOUT_SECONDS * 1000, requestTimeout, connectionsCheckingInterval: DEADLINE_CHECK_MS },
    trustProxy: settings.TRUST_PROXY,
  };
}
