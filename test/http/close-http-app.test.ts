import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { closeHttpApp } from '../../src/http/close-http-app.ts';

describe('closing the HTTP server', () => {
  it('cuts a connection whose request never completes, instead of waiting for its timeouts', async () => {
    const app = Fastify({ return503OnClosing: true });
    app.get('/ping', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;

    // A client that sent half a request: Node counts the connection as busy, not idle.
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /ping HTTP/1.1\r\nHost: recur.test\r\n');
    const closedByServer = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Plain app.close() would wait for the 60-second headers timeout here (beyond this test's limit).
    await closeHttpApp(app, 200);
    await closedByServer;
    expect(socket.destroyed).toBe(true);
  });
});
