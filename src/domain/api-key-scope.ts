/**
 * What an API key may do. `read` is for a shop's frontend servers: the reads they need to decide
 * what a customer sees (entitlement, the customer, subscriptions, plans), nothing that changes
 * anything or shows how recur is run. `admin` may do everything, as every key could before scopes.
 * Ordered from least to most: a scope allows everything a scope before it in this list allows.
 */
export const API_KEY_SCOPES = ['read', 'admin'] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What a key gets when none is asked for, and what a route needs unless it says otherwise. */
export const DEFAULT_API_KEY_SCOPE: ApiKeyScope = 'admin';

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

export function scopeAllows(granted: ApiKeyScope, needed: ApiKeyScope): boolean {
  return API_KEY_SCOPES.indexOf(granted) >= API_KEY_SCOPES.indexOf(needed);
}
