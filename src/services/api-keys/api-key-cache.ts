import type { ApiKeyRecord } from '../../db/repositories/api-key-repository.ts';

/** How long (real time) this process trusts a key it found active without asking the database again. */
export const API_KEY_CACHE_MS = 5_000;
/** How often at most this process records a key's use (last_used_at). */
export const API_KEY_TOUCH_INTERVAL_MS = 60_000;
// Keys are few (one per backend); this only bounds what random valid-looking keys could not fill anyway.
const MAX_ENTRIES = 1_000;

type Entry = { record: ApiKeyRecord; expiresAt: number };

/**
 * The active keys this process found recently, by hash, and when it last recorded each key's use.
 * A revocation through this process removes its key at once; one made by another process (or
 * straight in the database) takes effect here within API_KEY_CACHE_MS. Entries expire on the
 * monotonic clock, not the service's clock: a sandbox or test clock that stands still or moves
 * back must not stretch how long a revoked key keeps working.
 */
export class ApiKeyCache {
  constructor(private readonly monotonicMs: () => number = () => performance.now()) {}

  private readonly entries = new Map<string, Entry>();
  private readonly touchedAt = new Map<string, number>();

  find(keyHash: string): ApiKeyRecord | null {
    const entry = this.entries.get(keyHash);
    if (!entry) return null;
    if (this.monotonicMs() < entry.expiresAt) return entry.record;
    this.entries.delete(keyHash);
    return null;
  }

  remember(keyHash: string, record: ApiKeyRecord): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(keyHash, { record, expiresAt: this.monotonicMs() + API_KEY_CACHE_MS });
  }

  forget(keyId: string): void {
    for (const [hash, entry] of this.entries) if (entry.record.id === keyId) this.entries.delete(hash);
    this.touchedAt.delete(keyId);
  }

  /** Whether this use should be recorded; claims the recording so concurrent requests do not repeat it. */
  claimTouch(record: ApiKeyRecord, now: Date): boolean {
    const last = this.touchedAt.get(record.id) ?? record.lastUsedAt?.getTime() ?? null;
    if (last !== null && now.getTime() >= last && now.getTime() - last < API_KEY_TOUCH_INTERVAL_MS) return false;
    if (this.touchedAt.size >= MAX_ENTRIES) this.touchedAt.clear();
    this.touchedAt.set(record.id, now.getTime());
    return true;
  }
}

// One cache per database handle: every part of one process (routes, the control socket) shares
// the handle, and so the cache; a test's own database gets its own.
const caches = new WeakMap<object, ApiKeyCache>();

export function apiKeyCacheOf(db: object): ApiKeyCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new ApiKeyCache();
    caches.set(db, cache);
  }
  return cache;
}
