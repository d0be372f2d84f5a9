import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listApiKeys, type ApiKeyRecord } from '../../db/repositories/api-key-repository.ts';
import { createApiKey } from '../../services/api-keys/create-api-key.ts';
import { revokeApiKey } from '../../services/api-keys/revoke-api-key.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { documented, withExample } from '../api-examples.ts';
import { errorJson } from '../presenters.ts';

const timestamp = z.iso.datetime();
const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** A key as the API and the CLI show it: never the secret nor its hash. */
export const apiKeyJson = z.object({
  id: z.uuid(),
  name: z.string(),
  key_prefix: z.string().describe('the first characters of the key, to recognise it'),
  created_at: timestamp,
  last_used_at: timestamp.nullable().describe('updated at most once a minute'),
  revoked_at: timestamp.nullable(),
});

export const presentApiKey = (key: ApiKeyRecord): z.infer<typeof apiKeyJson> => ({
  id: key.id,
  name: key.name,
  key_prefix: key.keyPrefix,
  created_at: key.createdAt.toISOString(),
  last_used_at: iso(key.lastUsedAt),
  revoked_at: iso(key.revokedAt),
});

export const apiKeyName = z.string().trim().min(1).max(100).describe('what the key is for, e.g. "webshop backend"');
const createdApiKeyJson = apiKeyJson.extend({ key: z.string().describe('the key itself: shown in this answer only, store it as a secret') });
const idParam = z.object({ id: z.uuid() });

const keyExample: z.output<typeof apiKeyJson> = {
  id: '3f9a1c52-7b4e-4d08-a6e1-0c2b9d7f5e43',
  name: 'webshop backend',
  key_prefix: 'rk_live_8Hq2',
  created_at: '2026-03-01T09:12:44.000Z',
  last_used_at: '2026-03-02T14:05:10.000Z',
  revoked_at: null,
};

/** Admin API keys: whoever holds one may create and revoke others (and itself). */
export function apiKeyRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api-keys',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Create an admin API key; the key is in this answer only (audit-logged)',
        body: withExample(z.object({ name: apiKeyName }).strict(), { name: 'webshop backend' }),
        response: { 201: documented(createdApiKeyJson, 'The new key, shown in this answer only', { ...keyExample, last_used_at: null, key: 'rk_live_8Hq2xV4mT9pL1cN7bR3sW6yZ0aE5dF8g' }), 400: errorJson, 401: errorJson },
      },
    },
    async (request, reply) => {
      const { key, record } = await createApiKey(ctx, request.body.name, request.actor);
      return reply.status(201).send({ ...presentApiKey(record), key });
    },
  );

  api.get(
    '/api-keys',
    { schema: { tags: ['api keys'], summary: 'List API keys, newest first, revoked ones included (never the keys)', response: { 200: documented(z.object({ data: z.array(apiKeyJson) }), 'The keys, newest first, never the keys themselves', { data: [keyExample] }), 401: errorJson } } },
    async () => ({ data: (await listApiKeys(ctx.db)).map(presentApiKey) }),
  );

  api.delete(
    '/api-keys/:id',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Revoke an API key, also the one making the request (audit-logged); 404 when no active key has this id',
        params: idParam,
        response: { 200: documented(apiKeyJson, 'The revoked key', { ...keyExample, revoked_at: '2026-03-03T08:00:00.000Z' }), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => presentApiKey(await revokeApiKey(ctx, request.params.id, request.actor)),
  );
}
