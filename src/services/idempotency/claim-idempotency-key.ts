import { createHash, randomUUID } from 'node:crypto';
import { claimIdempotencyKey, findIdempotencyKey, type IdempotencyKeyId, type StoredAnswer } from '../../db/repositories/idempotency-key-repository.ts';
import type { ServiceContext } from '../service-context.ts';

/** The key is this request's to do the work under; `workKey` is the same for every retry of the one request. */
export type IdempotencyClaim = { id: IdempotencyKeyId; claimToken: string; workKey: string };

export type ClaimOutcome =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'in_use'; retryAfterSeconds: number }
  | { kind: 'reused' };

// A key released or expired between the claim and the look (a 5xx, the clean-up job) is claimed again.
const ATTEMPTS = 3;

/**
 * Decides what a request sent with an Idempotency-Key does: the work (a new key, an expired one,
 * or one whose holder's lease lapsed), a replay of the kept answer (the same request again),
 * a wait (the same request is still at work), or nothing (another request used this key).
 */
export async function claimIdempotencyKeyFor(
  ctx: Pick<ServiceContext, 'db' | 'clock' | 'config'>,
  id: IdempotencyKeyId,
  fingerprint: string,
): Promise<ClaimOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const now = ctx.clock.now();
    const claimToken = randomUUID();
    const lockedUntil = new Date(now.getTime() + ctx.config.IDEMPOTENCY_KEY_LEASE_SECONDS * 1000);
    const expiresAt = new Date(now.getTime() + ctx.config.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000);
    const claimed = await claimIdempotencyKey(ctx.db, id, { fingerprint, claimToken, lockedUntil, expiresAt }, now);
    if (claimed) return { kind: 'claimed', claim: { id, claimToken, workKey: deriveWorkKey(id, claimed.createdAt) } };
    const held = await findIdempotencyKey(ctx.db, id);
    if (!held) {
      if (attempt < ATTEMPTS) continue;
      return { kind: 'in_use', retryAfterSeconds: 1 };
    }
    if (held.fingerprint !== fingerprint) return { kind: 'reused' };
    if (held.status === 'completed') return { kind: 'replay', answer: held.answer };
    return { kind: 'in_use', retryAfterSeconds: Math.max(1, Math.ceil((held.lockedUntil.getTime() - now.getTime()) / 1000)) };
  }
}

/**
 * A key for the provider calls the work makes, the same for every retry of this request while its
 * key lives (a lapsed lease keeps the claim's creation time; an expiry starts a new one): a retry
 * after a crash between the work and the kept answer gets the provider's first answer again.
 */
function deriveWorkKey(id: IdempotencyKeyId, createdAt: Date): string {
  return createHash('sha256').update(`${id.apiKeyId}\n${id.key}\n${createdAt.toISOString()}`).digest('hex').slice(0, 40);
}
