import type { FastifyInstance } from 'fastify';
import type { FormParams } from './create-message.ts';

/** Repeated names (MediaUrl=a&MediaUrl=b, as the SDK sends lists) become arrays. */
export function parseForm(text: string): FormParams {
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = params[name];
    params[name] = existing === undefined ? value : [existing, value].flat();
  }
  return params;
}

/** Twilio's API takes form bodies; the parser lives in Twilio's own scope only. */
export function installFormParser(api: FastifyInstance): void {
  const type = 'application/x-www-form-urlencoded';
  if (api.hasContentTypeParser(type)) api.removeContentTypeParser(type);
  api.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, parseForm(body as string)));
}
