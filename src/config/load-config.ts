import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { catalogueSchema, defaultCatalogue, type Catalogue } from './catalogue-schema.ts';
import { settingsSchema, type Settings } from './settings-schema.ts';

export type Config = Settings & {
  catalogue: Catalogue;
  /** Where the catalogue came from, for the start-up banner. */
  catalogueSource: string;
};

/** A configuration problem, phrased as one line that names the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_CONFIG_FILE = 'recur.config.json';

/**
 * Parses the whole configuration once, at start-up. Empty environment values count as unset so
 * that a blank line copied from `.env.example` means "use the default".
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const raw = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, raw, (path) => path.join('.')));
  const settings = parsed.data;
  const { catalogue, source } = loadCatalogue(settings.RECUR_CONFIG_FILE, cwd);
  return { ...settings, catalogue, catalogueSource: source };
}

function loadCatalogue(configuredPath: string | undefined, cwd: string): { catalogue: Catalogue; source: string } {
  const path = resolve(cwd, configuredPath ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(path)) {
    if (configuredPath) throw new ConfigError(`RECUR_CONFIG_FILE: file not found: ${path}`);
    return { catalogue: defaultCatalogue, source: 'built-in default (monthly EUR 29.99, yearly EUR 299.90, 30-day trial)' };
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = catalogueSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, json, (p) => `${path}: ${formatJsonPath(p)}`));
  return { catalogue: parsed.data, source: path };
}

function describeIssues(error: z.ZodError, input: unknown, name: (path: PropertyKey[]) => string): string {
  return error.issues
    .map((issue) => {
      const got = valueAt(input, issue.path);
      const shown = got === undefined ? 'missing' : `got ${JSON.stringify(got)}`;
      return `${name(issue.path)}: ${issue.message} (${shown})`;
    })
    .join('; ');
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  // Never echo a database URL back: it may carry a password.
  if (path[0] === 'DATABASE_URL') return '<hidden>';
  return current;
}

function formatJsonPath(path: PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('').replace(/^\./, '') || '(root)';
}
