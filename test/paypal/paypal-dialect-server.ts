import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RecordedRequest = { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: string };
/** `text`: a body sent as it is (a PEM certificate); `body`: one sent as JSON. */
export type Answer = { status: number; body?: unknown; text?: string; headers?: Record<string, string> } | 'drop-connection' | 'hang';
type Route = (request: RecordedRequest) => Answer;

export const TEST_CLIENT_ID = 'AcmeClientId123';
export const TEST_CLIENT_SECRET = 'EFsecret-very-secret';

/**
 * A tiny server that speaks PayPal's REST dialect: client-credentials tokens at /v1/oauth2/token
 * (Basic auth, `access_token`, `expires_in`), Bearer checks, and PayPal's error shape. Each test
 * scripts the answers of the routes it needs, one per request, in order.
 */
export async function startPaypalDialectServer(options: { expiresIn?: number; prefix?: string } = {}) {
  const prefix = options.prefix ?? '';
  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, Answer[]>();
  const fallbacks = new Map<string, Route>();
  const validTokens = new Set<string>();
  let issued = 0;
  const hanging: ServerResponse[] = [];

  const issueToken = (request: RecordedRequest): Answer => {
    const expected = `Basic ${Buffer.from(`${TEST_CLIENT_ID}:${TEST_CLIENT_SECRET}`).toString('base64')}`;
    if (request.headers['authorization'] !== expected || request.body !== 'grant_type=client_credentials') {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client Authentication failed' } };
    }
    issued += 1;
    const token = `A21AA-test-token-${issued}`;
    validTokens.add(token);
    return { status: 200, body: { scope: 'https://uri.paypal.com/services/subscriptions', access_token: token, token_type: 'Bearer', app_id: 'APP-80W284485P519543T', expires_in: options.expiresIn ?? 32400, nonce: `nonce-${issued}` } };
  };

  const answer = (request: RecordedRequest): Answer => {
    const key = `${request.method} ${request.path.split('?')[0]}`;
    const scripted = scripts.get(key)?.shift();
    if (key === 'POST /v1/oauth2/token') return scripted ?? issueToken(request);
    if (scripted) return scripted;
    const bearer = String(request.headers['authorization'] ?? '').replace(/^Bearer /, '');
    if (!validTokens.has(bearer)) return { status: 401, body: { error: 'invalid_token', error_description: 'Token signature verification failed' } };
    const route = fallbacks.get(key);
    if (route) return route(request);
    return { status: 404, body: { name: 'RESOURCE_NOT_FOUND', message: 'The specified resource does not exist.', debug_id: 'f2a9b3c4d5e6f', details: [{ issue: 'INVALID_RESOURCE_ID', description: 'Specified resource ID does not exist.' }] } };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const request = { method: req.method ?? 'GET', path: url.startsWith(prefix) ? url.slice(prefix.length) : `(outside ${prefix})${url}`, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const reply = answer(request);
      if (reply === 'drop-connection') return req.socket.destroy();
      if (reply === 'hang') return void hanging.push(res);
      const text = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
      const type = reply.text !== undefined ? 'application/x-pem-file' : 'application/json';
      res.writeHead(reply.status, { ...(text ? { 'content-type': type } : {}), ...reply.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    /** Requests other than token requests. */
    apiRequests: () => requests.filter((request) => request.path !== '/v1/oauth2/token'),
    tokenRequests: () => requests.filter((request) => request.path === '/v1/oauth2/token'),
    /** The next answers of `METHOD /path`, one per request, before its normal behaviour. */
    script(route: string, ...answers: Answer[]) {
      scripts.set(route, [...(scripts.get(route) ?? []), ...answers]);
    },
    /** The normal answer of `METHOD /path` (after a valid Bearer token). */
    route(route: string, handler: Route) {
      fallbacks.set(route, handler);
    },
    /** PayPal forgets every token it issued (as after a revocation). */
    revokeTokens: () => validTokens.clear(),
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type PaypalDialectServer = Awaited<ReturnType<typeof startPaypalDialectServer>>;
