import { pino } from 'pino';

/**
 * Fields of database errors (pg's DatabaseError, PGlite's error) that carry the statement or the
 * data in it: PGlite adds the query and its parameters, PostgreSQL's detail names key values
 * ("Key (email)=(…)", "Failing row contains (…)") and its context ("where") quotes JSON input or
 * a parameter. Logs keep what identifies the failure: code, severity, table, column, constraint,
 * routine.
 */
const DATA_FIELDS = ['query', 'params', 'parameters', 'queryOptions', 'values', 'text', 'detail', 'where', 'hint', 'internalQuery', 'position', 'internalPosition'];

/** A database error message that quotes the value it refused: `invalid input syntax for type uuid: "anna@example.nl"`. */
const QUOTED_VALUES: [RegExp, string][] = [
  [/(invalid input (?:syntax|value) for [^:\n]*: )"[^\n]*"/g, '$1"[redacted]"'],
  [/\bvalue "[^\n]*?" is out of range/g, 'value "[redacted]" is out of range'],
  [/\bKey \(([^)\n]*)\)=\([^\n]*?\)( already exists| is not present| conflicts)/g, 'Key ($1)=([redacted])$2'],
  [/Failing row contains \([^\n]*\)/g, 'Failing row contains ([redacted])'],
];

type SerializedError = Record<string, unknown> & { message?: unknown; stack?: unknown };

/**
 * pino's error serializer (type, message with causes, stack, the error's own fields), without the
 * fields above at any depth, and with quoted values in messages and stacks redacted. Used for
 * every `err` recur or Fastify logs, so no log line carries a statement or a customer's data.
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  return scrub(serialized, 0);
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  // Nothing unscrubbed gets through: what lies deeper than any real error's fields is dropped.
  if (depth > 8) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const serialized = value as SerializedError;
  const clean: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(serialized)) {
    if (DATA_FIELDS.includes(key)) continue;
    clean[key] = typeof field === 'string' && (key === 'message' || key === 'stack') ? redactQuotedValues(field) : scrub(field, depth + 1);
  }
  return clean;
}

function redactQuotedValues(text: string): string {
  return QUOTED_VALUES.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text);
}

/**
 * A request as Fastify's own log lines would show it: method and route pattern only. The raw URL
 * carries customers' ids in its path (often an e-mail address) and tokens in its query string.
 */
export function serializeRequest(request: unknown): unknown {
  const { method, routeOptions } = (request ?? {}) as { method?: unknown; routeOptions?: { url?: unknown } };
  return { method, route: routeOptions?.url ?? 'unmatched' };
}
