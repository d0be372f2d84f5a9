import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { startMessagingSandbox } from '../../sandbox/messaging/support/messaging-kit.ts';

export type SendgridKeys = { baseUrl: string; apiKey: string; eventWebhook: { publicKey: string } };
export type TwilioKeys = { baseUrl: string; accountSid: string; authToken: string; fromNumber: string };

export type ProviderSandbox = {
  sandbox: RunningSandbox;
  sendgrid: SendgridKeys;
  twilio: TwilioKeys;
  /** PUT /sandbox/faults with these request rules (an empty list switches faults off). */
  setFaults(requests: Record<string, unknown>[]): Promise<void>;
  get<T>(path: string): Promise<T>;
  post(path: string, body: unknown): Promise<void>;
};

/**
 * The SendGrid and Twilio emulators over real HTTP, with the keys read from GET /sandbox as a
 * developer would read them, and the sandbox's control routes as small helpers.
 */
export async function startProviderSandbox(): Promise<ProviderSandbox> {
  const sandbox = await startMessagingSandbox();
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
    return response.json() as Promise<unknown>;
  };
  const { providers } = (await send('GET', '/sandbox')) as { providers: { sendgrid: SendgridKeys; twilio: TwilioKeys } };
  return {
    sandbox,
    sendgrid: providers.sendgrid,
    twilio: providers.twilio,
    setFaults: async (requests) => void (await send('PUT', '/sandbox/faults', { requests })),
    get: async <T>(path: string) => (await send('GET', path)) as T,
    post: async (path, body) => void (await send('POST', path, body)),
  };
}

/** A local URL nothing listens on: a port that was just free, closed again. */
export async function unreachableUrl(path: string): Promise<string> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}
