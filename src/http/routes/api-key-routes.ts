import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listApiKeysPage, type ApiKeyRecord } from '../../db/repositories/api-key-repository.ts';
import { API_KEY_SCOPES, DEFAULT_API_KEY_SCOPE } from '../../domain/api-key-scope.ts';
import { createApiKey } from '../../services/api-keys/create-api-key.ts';
import { revokeApiKey } from '../../services/api-keys/revoke-api-key.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { documented, withExample } from '../api-examples.ts';
import { listJson, listQuery, onePage, presentPage, toPageRequest } from '../list-page.ts';
import { errorJson } from '../presenters.ts';

const timestamp = z.iso.datetime();
const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** A key as the API and the CLI show it: never the secret nor its hash. */
export const apiKeyJson = z.object({
  id: z.uuid(),
  name: z.string(),
  key_prefix: z.string().describe('the first characters of the key, to recognise it'),
  scope: z.enum(API_KEY_SCOPES).describe('read: entitlement, customers, subscriptions and plans, read only; admin: everything'),
  created_at: timestamp,
  last_used_at: timestamp.nullable().describe('updated at most once a minute'),
  revoked_at: timestamp.nullable(),
});

export const presentApiKey = (key: ApiKeyRecord): z.infer<typeof apiKeyJson> => ({
  id: key.id,
  name: key.name,
  key_prefix: key.keyPrefix,
  scope: key.scope,
  created_at: key.createdAt.toISOString(),
  last_used_at: iso(key.lastUsedAt),
  revoked_at: iso(key.revokedAt),
});

export const apiKeyName = z.string().trim().min(1).max(100).describe('what the key is for, e.g. "webshop backend"');
export const apiKeyScope = z.enum(API_KEY_SCOPES).default(DEFAULT_API_KEY_SCOPE).describe('read: for a shop\'s frontend servers (entitlement, customers, subscriptions, plans; GET only); admin (the default): everything');
const createdApiKeyJson = apiKeyJson.extend({ key: z.string().describe('the key itself: shown in this answer only, store it as a secret') });
const idParam = z.object({ id: z.uuid() });
const apiKeyListQuery = listQuery(z.uuid(), { status: z.enum(['active', 'revoked']).optional() });

const keyExample: z.output<typeof apiKeyJson> = {
  id: '3f9a1c52-7b4e-4d08-a6e1-0c2b9d7f5e43',
  name: 'webshop backend',
  key_prefix: 'rk_live_8Hq2',
  scope: 'admin',
  created_at: '2026-03-01T09:12:44.000Z',
  last_used_at: '2026-03-02T14:05:10.000Z',
  revoked_at: null,
};

/** API keys: whoever holds an admin key may create and revoke others (and itself). */
export function apiKeyRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api-keys',
    {
      config: { answerHoldsSecret: true },
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key (admin unless scope says read); the key is in this answer only (audit-logged)',
        body: withExample(z.object({ name: apiKeyName, scope: apiKeyScope }).strict(), { name: 'webshop frontend', scope: 'read' }),
        response: { 201: documented(createdApiKeyJson, 'The new key, shown in this answer only', { ...keyExample, name: 'webshop frontend', scope: 'read', last_used_at: null, key: 'rk_live_8Hq2xV4mT9pL1cN7bR3sW6yZ0aE5dF8g' }), 400: errorJson, 401: errorJson },
      },
    },
    async (request, reply) => {
      const { key, record } = await createApiKey(ctx, request.body.name, request.actor, request.body.scope);
      return reply.status(201).send({ ...presentApiKey(record), key });
    },
  );

  api.get(
    '/api-keys',
    {
      schema: {
        tags: ['api keys'],
        summary: 'List API keys, newest first, revoked ones included unless status says otherwise (never the keys)',
        querystring: apiKeyListQuery,
        response: { 200: documented(listJson(apiKeyJson, z.uuid()), 'The keys, newest first, never the keys themselves', onePage(keyExample)), 400: errorJson, 401: errorJson },
      },
    },
    async (request) => presentPage(await listApiKeysPage(ctx.db, { ...toPageRequest(request.query), status: request.query.status }), presentApiKey),
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
