import type { Params } from './form-body.ts';
import { stripeErrors } from './stripe-error.ts';

const KEY_LIFETIME_SECONDS = 24 * 3600;
/** The SDK keys every POST; without a cap a long demo with a still clock would keep them all. */
const MAX_KEYS = 10_000;

type Entry = {
  fingerprint: string;
  createdAt: number;
  requestId: string;
  response: { status: number; body: string } | null;
};

/** A kept answer, by `apiKey NUL key`, as a snapshot holds it. */
export type IdempotencyRecord = [id: string, entry: Entry & { response: NonNullable<Entry['response']> }];

export type IdempotencyOutcome =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; body: string; originalRequest: string };

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableJson((value as Params)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Stripe's `Idempotency-Key`: the first answer for a key (success or 4xx) is kept for 24 hours and
 * replayed for the same request; the same key with other parameters is an idempotency_error.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  begin(apiKey: string, key: string, method: string, path: string, params: Params, requestId: string, now: number): IdempotencyOutcome {
    this.expire(now);
    const id = `${apiKey}\u0000${key}`;
    const fingerprint = `${method} ${path} ${stableJson(params)}`;
    const existing = this.entries.get(id);
    if (!existing) {
      this.entries.set(id, { fingerprint, createdAt: now, requestId, response: null });
      return { kind: 'new' };
    }
    if (existing.fingerprint !== fingerprint) throw stripeErrors.idempotencyMismatch(key);
    if (!existing.response) throw stripeErrors.idempotencyInFlight();
    return { kind: 'replay', status: existing.response.status, body: existing.response.body, originalRequest: existing.requestId };
  }

  /** Server errors are not kept, so that a retry with the same key runs the request again. */
  finish(apiKey: string, key: string, status: number, body: string): void {
    const id = `${apiKey}\u0000${key}`;
    const entry = this.entries.get(id);
    if (!entry) return;
    if (status >= 500) this.entries.delete(id);
    else entry.response = { status, body };
  }

  reset(): void {
    this.entries.clear();
  }

  /** Oldest first, as `expire` expects; a request still running has no answer to keep. */
  snapshot(): IdempotencyRecord[] {
    return [...this.entries].filter((record): record is IdempotencyRecord => record[1].response !== null);
  }

  restore(records: readonly IdempotencyRecord[]): void {
    this.entries.clear();
    for (const [id, entry] of records) this.entries.set(id, entry);
  }

  private expire(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.createdAt + KEY_LIFETIME_SECONDS > now && this.entries.size < MAX_KEYS) break;
      this.entries.delete(id);
    }
  }
}
