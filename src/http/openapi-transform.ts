import type { FastifySchema } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type JsonSchema = Record<string, unknown>;

/**
 * The key under which a route that reads raw bytes (a webhook: nothing is parsed before its
 * signature holds) declares what its body holds, for the docs only: a `body` schema would make
 * Fastify validate, and so parse, the bytes.
 */
export const DOCUMENTED_BODY = 'x-documented-body';

/**
 * The key under which a route declares request headers for the docs only (the Idempotency-Key of
 * a POST): a `headers` schema would make Fastify validate, and replace, the request's headers.
 */
export const DOCUMENTED_HEADERS = 'x-documented-headers';

/**
 * A response declared as `z.string().meta({ contentMediaType: 'text/html' })` is a page, not JSON:
 * the docs show it under its own media type, with its example.
 */
function documentMediaType(response: JsonSchema): JsonSchema {
  const media = response['contentMediaType'];
  if (typeof media !== 'string' || media.includes('json')) return response;
  const examples = response['examples'] as unknown[] | undefined;
  return { description: response['description'], content: { [media]: { schema: { type: 'string' }, ...(examples?.length ? { example: examples[0] } : {}) } } };
}

/** zod's transform of a route's schemas for the docs, with the additions above. */
export function documentRoute(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const routeSchema = input.schema as (FastifySchema & Record<string, unknown>) | undefined;
  const { [DOCUMENTED_BODY]: documentedBody, [DOCUMENTED_HEADERS]: documentedHeaders, ...rest } = routeSchema ?? {};
  const documentedOnly = { ...(documentedBody ? { body: documentedBody } : {}), ...(documentedHeaders ? { headers: documentedHeaders } : {}) };
  const schema = Object.keys(documentedOnly).length > 0 ? { ...rest, ...documentedOnly } : routeSchema;
  const result = jsonSchemaTransform({ ...input, schema: schema as TransformInput['schema'] } as TransformInput);
  const body = (result.schema as { body?: JsonSchema } | undefined)?.body;
  // fastify-swagger lifts a body's `examples` into the media type's example, as for responses.
  if (body && body['example'] !== undefined && !body['examples']) {
    body['examples'] = [body['example']];
    delete body['example'];
  }
  const responses = (result.schema as { response?: Record<string, JsonSchema> } | undefined)?.response;
  if (responses) for (const status of Object.keys(responses)) responses[status] = documentMediaType(responses[status]!);
  return result;
}
