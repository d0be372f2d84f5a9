import { completeIdempotencyKey, releaseIdempotencyKey, type StoredAnswer } from '../../db/repositories/idempotency-key-repository.ts';
import type { ServiceContext } from '../service-context.ts';
import type { IdempotencyClaim } from './claim-idempotency-key.ts';

export type Settlement = 'kept' | 'released' | 'lost';

/**
 * The work is done: an answer below 500 is kept for replays (a refusal too: the same request
 * would be refused again); a 5xx lets the key go, since the failure may pass and the client will
 * retry. `lost`: the lease lapsed and another request holds the key now; its answer will be kept.
 */
export async function settleIdempotencyKey(ctx: Pick<ServiceContext, 'db'>, claim: IdempotencyClaim, answer: StoredAnswer): Promise<Settlement> {
  if (answer.status >= 500) {
    await releaseIdempotencyKey(ctx.db, claim.id, claim.claimToken);
    return 'released';
  }
  return (await completeIdempotencyKey(ctx.db, claim.id, claim.claimToken, answer)) ? 'kept' : 'lost';
}
