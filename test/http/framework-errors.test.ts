import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { listenOnLoopback, RawConnection, type RawAnswer } from '../support/raw-http.ts';

/** Answers that Node or Fastify give before any of recur's routes runs, sent over a real socket. */
describe('refusals before a route, in the error shape, on a real server', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    port = await listenOnLoopback(t.app);
  });
  afterAll(() => t.close());

  const send = async (raw: string): Promise<RawAnswer> => {
    const connection = new RawConnection(port);
    connection.write(raw);
    // Fastify keeps a routed connection alive; the server closes it for the refusals before a route.
    setTimeout(() => connection.socket.end(), 1000).unref();
    return connection.answer();
  };

  const expectShape = (answer: RawAnswer, status: number, code: string) => {
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(answer.body) as { error: Record<string, unknown> };
    expect(body).toEqual({ error: { code, message: expect.any(String), requestId: answer.headers['x-request-id'] } });
    return body.error;
  };

  it('431 for headers larger than allowed', async () => {
    const answer = await send(`GET /healthz HTTP/1.1\r\nHost: recur.test\r\nX-Huge: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectShape(answer, 431, 'headers_too_large');
  });

  it('400 for bytes that are not HTTP', async () => {
    const answer = await send('HELLO THERE\r\n\r\n');
    expectShape(answer, 400, 'bad_request');
  });

  it('414 for a path segment longer than any id, without echoing it', async () => {
    const longId = `customer-${'x'.repeat(300)}`;
    const answer = await send(`GET /v1/customers/${longId} HTTP/1.1\r\nHost: recur.test\r\nConnection: close\r\n\r\n`);
    const error = expectShape(answer, 414, 'uri_too_long');
    expect(JSON.stringify(error)).not.toContain(longId);
  });

  it('400 for a path with a broken percent-encoding, without echoing it', async () => {
    const answer = await send('GET /v1/customers/%E0%A4%A HTTP/1.1\r\nHost: recur.test\r\nConnection: close\r\n\r\n');
    const error = expectShape(answer, 400, 'bad_request');
    expect(JSON.stringify(error)).not.toContain('%A4');
  });
});
