import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/database.ts';
import { currentSchemaVersion, latestMigrationVersion } from '../../db/migrate.ts';
import { sendError } from '../error-handler.ts';

/** /healthz: the process answers. /readyz: the database answers and has every migration. */
export function healthRoutes(app: FastifyInstance, db: Database): void {
  const expected = latestMigrationVersion();

  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up', security: [] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['health'], summary: 'The database is reachable and migrated', security: [] } }, async (request, reply) => {
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
