import type { FastifyInstance } from 'fastify';

/**
 * Stops the HTTP server: no new requests (503 while closing), requests under way get `graceMs`
 * to finish, then every connection still open is cut. Without the cut, a keep-alive connection
 * that Node does not count as idle holds `close()` until the keep-alive timeout (72 s), which is
 * longer than a supervisor waits for a stop.
 */
export async function closeHttpApp(app: FastifyInstance, graceMs = 10_000): Promise<void> {
  const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}
