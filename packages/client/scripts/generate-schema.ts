import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildOpenApiDocument } from '../../../src/http/openapi-document.ts';
import { schemaTypesOf } from './schema-types.ts';

/**
 * `npm run generate -w @recur/client`: the API's types from recur's own OpenAPI document, built in
 * this process as /openapi.json serves it (no database, no server), written to the file named.
 */
const target = process.argv[2];
if (!target) {
  console.error('usage: generate-schema.ts <output file>');
  process.exit(2);
}
await writeFile(resolve(target), await schemaTypesOf(await buildOpenApiDocument('generated')));
console.log(`wrote ${target}`);
