type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export type OpenApiDocument = { components?: { schemas?: Record<string, JsonObject> } };

const componentRef = /^#\/components\/schemas\/([^/]+)$/;

/**
 * Makes one schema of an OpenAPI document stand alone, so a JSON-schema validator can compile
 * it: every `#/components/schemas/X` it reaches (directly or through other components) is
 * copied under `$defs` and its `$ref` pointed there. Any other kind of `$ref` is refused, so a
 * spec that grows one is noticed rather than half-validated.
 */
export function standaloneSchema(document: OpenApiDocument, schema: JsonObject): JsonObject {
  const components = document.components?.schemas ?? {};
  const defs: Record<string, Json> = {};
  const pending: string[] = [];

  const rewrite = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const copy: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = componentRef.exec(value)?.[1];
        if (!name || !components[name]) throw new Error(`cannot resolve $ref ${value}`);
        if (!(name in defs) && !pending.includes(name)) pending.push(name);
        copy[key] = `#/$defs/${name}`;
      } else {
        copy[key] = rewrite(value);
      }
    }
    return copy;
  };

  const root = rewrite(schema) as JsonObject;
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    defs[name] = null;
    defs[name] = rewrite(components[name]!);
  }
  return Object.keys(defs).length > 0 ? { ...root, $defs: defs } : root;
}

/** Keywords OpenAPI documents carry that are not JSON Schema; a strict validator must know them. */
export const openApiAnnotationKeywords = ['example', 'x-twilio', 'xml', 'externalDocs', 'discriminator'];
