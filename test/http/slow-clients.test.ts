import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { listenOnLoopback, RawConnection } from '../support/raw-http.ts';

describe('slow clients on a real server (request deadline 2 s, headers 1 s)', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp('pglite', { settings: { HTTP_REQUEST_TIMEOUT_SECONDS: 2, HTTP_HEADERS_TIMEOUT_SECONDS: 1 } });
    port = await listenOnLoopback(t.app);
  });
  afterAll(() => t.close());

  const expectTimeoutAnswer = async (connection: RawConnection) => {
    const answer = await connection.answer();
    expect(answer.status).toBe(408);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(answer.body) as { error: { code: string; message: string; requestId: string } };
    expect(body.error).toEqual({ code: 'request_timeout', message: expect.any(String), requestId: answer.headers['x-request-id'] });
  };

  it('answers 408 in the error shape and closes a webhook whose body trickles in a byte at a time', async () => {
    const connection = new RawConnection(port);
    connection.write('POST /webhooks/stripe HTTP/1.1\r\nHost: recur.test\r\nContent-Type: application/json\r\nStripe-Signature: t=1,v1=00\r\nContent-Length: 200\r\n\r\n');
    // 200 bytes at one per 100 ms would take 20 s; the deadline ends the request long before.
    const sent = await connection.trickle('x', 100, 200);
    expect(sent).toBeLessThan(200);
    await expectTimeoutAnswer(connection);
  }, 30_000);

  it('answers 408 when the headers themselves trickle in', async () => {
    const connection = new RawConnection(port);
    connection.write('GET /healthz HTTP/1.1\r\nHost: recur.test\r\n');
    const sent = await connection.trickle('X-Slow: 1\r\n', 100, 200);
    expect(sent).toBeLessThan(200);
    await expectTimeoutAnswer(connection);
  }, 30_000);
});
