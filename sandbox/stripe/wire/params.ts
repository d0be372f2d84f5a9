import type { Params } from './form-body.ts';
import { stripeErrors } from './stripe-error.ts';

/** `a.b.c` -> `a[b][c]`, the way Stripe names a nested parameter in its errors. */
function bracketName(path: string): string {
  const [head, ...rest] = path.split('.');
  return head + rest.map((part) => `[${part}]`).join('');
}

function lookup(params: Params, path: string): unknown {
  let node: unknown = params;
  for (const part of path.split('.')) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export function has(params: Params, path: string): boolean {
  return lookup(params, path) !== undefined;
}

export function optionalString(params: Params, path: string): string | undefined {
  const value = lookup(params, path);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw stripeErrors.invalidRequest(`Invalid string: ${JSON.stringify(value)}`, bracketName(path), 'parameter_invalid_string');
  return value;
}

export function requireString(params: Params, path: string): string {
  const value = optionalString(params, path);
  if (value === undefined || value === '') throw stripeErrors.missingParam(bracketName(path));
  return value;
}

/** Stripe clears a field when it is sent empty: `description=` -> null. */
export function nullableString(params: Params, path: string): string | null | undefined {
  const value = optionalString(params, path);
  return value === '' ? null : value;
}

export function optionalInt(params: Params, path: string, range: { min?: number; max?: number } = {}): number | undefined {
  const value = lookup(params, path);
  if (value === undefined || value === '') return undefined;
  const text = String(value);
  if (!/^-?\d+$/.test(text)) throw stripeErrors.invalidInteger(bracketName(path), text);
  const number = Number(text);
  if ((range.min !== undefined && number < range.min) || (range.max !== undefined && number > range.max)) {
    const bounds = [range.min !== undefined ? `greater than or equal to ${range.min}` : '', range.max !== undefined ? `less than or equal to ${range.max}` : ''].filter(Boolean).join(' and ');
    throw stripeErrors.invalidRequest(`This value must be ${bounds}.`, bracketName(path), 'parameter_invalid_integer');
  }
  return number;
}

export function requireInt(params: Params, path: string, range: { min?: number; max?: number } = {}): number {
  const value = optionalInt(params, path, range);
  if (value === undefined) throw stripeErrors.missingParam(bracketName(path));
  return value;
}

export function optionalBool(params: Params, path: string): boolean | undefined {
  const value = lookup(params, path);
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  throw stripeErrors.invalidBoolean(bracketName(path), value);
}

export function optionalEnum<T extends string>(params: Params, path: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(params, path);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw stripeErrors.invalidEnum(bracketName(path), value, allowed);
  return value as T;
}

export function optionalObject(params: Params, path: string): Params | undefined {
  const value = lookup(params, path);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'object' || value === null) throw stripeErrors.invalidRequest(`Invalid object`, bracketName(path), 'parameter_invalid_object');
  return value as Params;
}

/** qs gives `a[0]=x` as an array, and very large indices as an object with numeric keys. */
export function optionalArray(params: Params, path: string): unknown[] | undefined {
  const value = lookup(params, path);
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && value !== null) return Object.keys(value).sort((a, b) => Number(a) - Number(b)).map((key) => (value as Params)[key]);
  return [value];
}

export function optionalStringArray(params: Params, path: string): string[] | undefined {
  return optionalArray(params, path)?.map((item) => String(item));
}

/** `billing_cycle_anchor`: `now` / `unchanged`, sent bare (older API versions) or as `{ type }` (this one). */
export function anchorChoice(params: Params, path: string): 'now' | 'unchanged' | undefined {
  const value = lookup(params, path);
  const choice = typeof value === 'object' && value !== null ? (value as Params).type : value;
  if (choice === undefined || choice === '') return undefined;
  if (choice === 'now' || choice === 'unchanged') return choice;
  throw stripeErrors.invalidEnum(bracketName(path), choice, ['now', 'unchanged']);
}

/** A timestamp or the word `now` (trial_end, billing_cycle_anchor). */
export function optionalTimestampOrNow(params: Params, path: string, now: number): number | 'now' | undefined {
  const value = lookup(params, path);
  if (value === 'now') return 'now';
  const seconds = optionalInt(params, path);
  if (seconds !== undefined && seconds <= now) throw stripeErrors.invalidRequest(`Invalid timestamp: must be an integer Unix timestamp in the future.`, bracketName(path), 'parameter_invalid_integer');
  return seconds;
}

/** Stripe's metadata update: keys merge, an empty value deletes a key, `metadata=` clears all. */
export function mergeMetadata(current: Record<string, string> | null, params: Params, path = 'metadata'): Record<string, string> {
  const value = lookup(params, path);
  if (value === undefined) return current ?? {};
  if (value === '') return {};
  if (typeof value !== 'object' || value === null) throw stripeErrors.invalidRequest('Invalid metadata: must be a hash', bracketName(path));
  const merged = { ...(current ?? {}) };
  for (const [key, entry] of Object.entries(value as Params)) {
    if (entry === '' || entry === null) delete merged[key];
    else merged[key] = String(entry);
  }
  return merged;
}
