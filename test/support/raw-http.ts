import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Makes a test app listen on a free loopback port; `close()` of the app stops it. */
export async function listenOnLoopback(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening on a port');
  return address.port;
}

export type RawAnswer = { status: number; headers: Record<string, string>; body: string };

/**
 * A TCP connection that writes whatever a test wants, as slowly as it wants: what `inject` and
 * fetch cannot send (a trickled body, oversized headers, bytes that are not HTTP).
 */
export class RawConnection {
  readonly socket: Socket;
  #received = '';
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => (this.#received += chunk.toString('latin1')));
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
  }

  get isOpen(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  write(text: string): void {
    if (this.isOpen) this.socket.write(text);
  }

  /** Writes `piece` every `everyMs` until the server answers or closes, or `times` pieces went; returns how many went. */
  async trickle(piece: string, everyMs: number, times: number): Promise<number> {
    let sent = 0;
    while (sent < times && this.isOpen && this.#received === '') {
      this.write(piece);
      sent += 1;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    return sent;
  }

  /** The first answer on the connection, once the server has closed it. */
  async answer(): Promise<RawAnswer> {
    await this.closed;
    const [head = '', ...rest] = this.#received.split('\r\n\r\n');
    const [statusLine = '', ...headerLines] = head.split('\r\n');
    const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
  }
}
