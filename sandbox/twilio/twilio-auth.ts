import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sendTwilioError } from './twilio-errors.ts';

export type TwilioCredentials = { accountSid: string; authToken: string };

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * HTTP Basic with the account SID and auth token, checked before the body is read; the account
 * in the path must be the one that authenticated. Anything else is Twilio's 20003.
 */
export function installBasicAuth(api: FastifyInstance, credentials: TwilioCredentials): void {
  api.addHook('onRequest', async (request, reply) => {
    const given = basicCredentials(request.headers.authorization);
    const pathAccount = (request.params as { AccountSid?: string } | undefined)?.AccountSid;
    const valid =
      given !== null &&
      sameText(given.username, credentials.accountSid) &&
      sameText(given.password, credentials.authToken) &&
      (pathAccount === undefined || pathAccount === credentials.accountSid);
    if (valid) return;
    reply.header('www-authenticate', 'Basic realm="Twilio API"');
    return sendTwilioError(reply, { code: 20003, message: 'Authenticate' });
  });
}
