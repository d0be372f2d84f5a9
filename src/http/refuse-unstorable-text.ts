import type { FastifyInstance } from 'fastify';
import { validationFailed } from '../shared/errors.ts';
import { findUnstorableText } from '../shared/storable-text.ts';

/**
 * Every route, whatever its schema: a path parameter, query string or parsed body carrying a
 * character PostgreSQL cannot store (U+0000, a lone surrogate) is a 400 before validation, never
 * a failed insert (a 500, and a database error about the customer's data). Raw bodies (the
 * webhook receivers) are left to their own receivers, which store what they can.
 * Headers need no check here: Node's HTTP parser refuses a NUL in them, and recur stores none.
 */
export function refuseUnstorableText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const parts: [string, unknown][] = [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ];
    for (const [part, value] of parts) {
      const found = findUnstorableText(value);
      if (found) throw validationFailed(`${part}${found.path ? `.${found.path}` : ''}: contains ${found.character}, which cannot be stored`);
    }
  });
}
