import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/database.ts';
import { currentSchemaVersion, latestMigrationVersion } from '../../db/migrate.ts';
import { sendError } from '../error-handler.ts';
import { z } from 'zod';
import { documented } from '../api-examples.ts';
import { errorJson } from '../presenters.ts';

/** /healthz: the process answers. /readyz: the database answers and has every migration. */
export function healthRoutes(app: FastifyInstance, db: Database): void {
  const expected = latestMigrationVersion();

  const healthy = documented(z.object({ status: z.literal('ok') }), 'The process answers', { status: 'ok' });
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up', security: [], response: { 200: healthy, 500: errorJson } } }, async () => ({ status: 'ok' }));

  const ready = documented(z.object({ status: z.literal('ready'), schema_version: z.number().int() }), 'The database answers and has every migration', { status: 'ready', schema_version: expected });
  const readiness = { tags: ['health'], summary: 'The database is reachable and migrated', security: [], response: { 200: ready, 503: errorJson } };
  app.get('/readyz', { schema: readiness }, async (request, reply) => {
    let version: number | null;
    try {
      version = await currentSchemaVersion(db);
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check: database unreachable');
      return sendError(request, reply, { status: 503, code: 'not_ready', message: 'the database does not answer' });
    }
    if (version !== expected) {
      return sendError(request, reply, { status: 503, code: 'not_ready', message: `schema version ${version ?? 'none'}, expected ${expected}: run \`recur migrate\`` });
    }
    return { status: 'ready', schema_version: version };
  });
}
