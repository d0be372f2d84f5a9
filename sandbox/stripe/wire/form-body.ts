import type { FastifyInstance, FastifyRequest } from 'fastify';
import qs from 'qs';

/** Stripe's nested brackets: `items[0][price]=price_1&expand[]=customer&metadata[plan]=gold`. */
const QS_OPTIONS = { depth: 10, arrayLimit: 1000, parameterLimit: 10_000 } as const;

export type Params = Record<string, unknown>;

export function parseStripeForm(text: string): Params {
  return qs.parse(text, QS_OPTIONS) as Params;
}

/** Registers the form parser in the Stripe scope only, so other providers keep their own. */
export function registerFormBody(scope: FastifyInstance): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseStripeForm(typeof body === 'string' ? body : body.toString('utf8')));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** Query and body together, as Stripe reads them: GET and DELETE carry parameters in the query. */
export function requestParams(request: FastifyRequest): Params {
  const url = request.raw.url ?? '';
  const question = url.indexOf('?');
  const query = question >= 0 ? parseStripeForm(url.slice(question + 1)) : {};
  const body = request.body && typeof request.body === 'object' ? (request.body as Params) : {};
  return { ...query, ...body };
}
