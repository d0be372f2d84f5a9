import { defaultCatalogue } from '../config/catalogue-schema.ts';
import { settingsSchema } from '../config/settings-schema.ts';
import type { Database } from '../db/database.ts';
import { systemClock } from '../shared/clock.ts';
import { createLogger } from '../shared/logger.ts';
import { buildHttpApp } from './build-http-app.ts';

const NO_DATABASE = (): never => {
  throw new Error('the OpenAPI document is built without a database');
};

/**
 * The OpenAPI document as `/openapi.json` serves it, built in this process without a database,
 * providers or a listening port: routes and their schemas are the same whatever the settings, and
 * building the app runs no query. For the typed client's generator (packages/client).
 */
export async function buildOpenApiDocument(version: string): Promise<unknown> {
  const db: Database = { kind: 'pglite', query: NO_DATABASE, exec: NO_DATABASE, transaction: NO_DATABASE } as unknown as Database;
  const config = { ...settingsSchema.parse({}), catalogue: defaultCatalogue };
  const app = await buildHttpApp({ ctx: { db, clock: systemClock, config }, logger: createLogger('silent'), bodyLimitBytes: 64 * 1024, version });
  try {
    const answer = await app.inject({ method: 'GET', url: '/openapi.json' });
    if (answer.statusCode !== 200) throw new Error(`/openapi.json answered ${answer.statusCode}`);
    return answer.json();
  } finally {
    await app.close();
  }
}
