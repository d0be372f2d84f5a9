import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './error-handler.ts';

export type RateLimitDecision = {
  allowed: boolean;
  /** The burst: what a key that was quiet for a while may send at once. */
  limit: number;
  remaining: number;
  /** Seconds until the key has its whole burst again. */
  resetSeconds: number;
  /** Seconds until the next request is allowed; 0 when this one was. */
  retryAfterSeconds: number;
};

type Bucket = { tokens: number; at: number };

/**
 * A token bucket per API key, in this process's memory: each key may send `burst` requests at
 * once and `perSecond` a second after that. A refused request costs nothing, so a client that
 * waits the Retry-After gets through. Time is the process's monotonic clock, not recur's Clock:
 * moving the development clock by a month must not hand out a month of requests.
 */
export class ApiKeyRateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    // Keys are few; this only bounds memory if a deployment makes keys by the thousand.
    private readonly maxKeys = 10_000,
  ) {}

  take(keyId: string): RateLimitDecision {
    const now = this.now();
    const bucket = this.#refill(keyId, now);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return {
      allowed,
      limit: this.burst,
      remaining: Math.floor(bucket.tokens),
      resetSeconds: Math.ceil((this.burst - bucket.tokens) / this.perSecond),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond)),
    };
  }

  #refill(keyId: string, now: number): Bucket {
    let bucket = this.#buckets.get(keyId);
    if (!bucket) {
      if (this.#buckets.size >= this.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
      bucket = { tokens: this.burst, at: now };
      this.#buckets.set(keyId, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    return bucket;
  }
}

/**
 * Counts the request against its key: the IETF RateLimit-* fields on every answer (what is left,
 * and when the burst is whole again), and over the limit 429 with Retry-After; null when allowed.
 */
export function limitRequestRate(request: FastifyRequest, reply: FastifyReply, limiter: ApiKeyRateLimiter, keyId: string): FastifyReply | null {
  const decision = limiter.take(keyId);
  reply.header('ratelimit-limit', String(decision.limit));
  reply.header('ratelimit-remaining', String(decision.remaining));
  reply.header('ratelimit-reset', String(decision.resetSeconds));
  if (decision.allowed) return null;
  reply.header('retry-after', String(decision.retryAfterSeconds));
  return sendError(request, reply, {
    status: 429,
    code: 'rate_limited',
    message: `this API key sent more than ${limiter.burst} requests at once or ${limiter.perSecond} a second for too long; retry after ${decision.retryAfterSeconds} s`,
  });
}
