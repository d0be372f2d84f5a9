import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

const HEADER = '// Generated from recur\'s OpenAPI document by `npm run generate -w @recur/client`. Do not edit.\n\n';

/** The TypeScript of an OpenAPI document, as the client package commits it in src/schema.d.ts. */
export async function schemaTypesOf(document: unknown): Promise<string> {
  const ast = await openapiTS(document as OpenAPI3, { alphabetize: true });
  return HEADER + astToString(ast);
}
