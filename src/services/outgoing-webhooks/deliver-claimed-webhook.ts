import { nextWebhookAttempt } from '../../domain/webhook-retry-schedule.ts';
import { disableFailingEndpoint, insertDeliveryAttempt, recordEndpointOutcome, settleDelivery, type ClaimedDelivery } from '../../db/repositories/webhook-delivery-repository.ts';
import { activeSigningSecrets, buildWebhookPayload, signWebhookMessage } from './build-webhook-message.ts';
import { checkWebhookTarget } from './check-webhook-target.ts';
import type { WebhookServiceContext } from './outgoing-webhooks-context.ts';
import { postToEndpoint, type PostOutcome } from './post-to-endpoint.ts';
import { recordWebhookFailureAlert } from './record-webhook-failure-alert.ts';
import type { DeliveryOutcome } from './webhook-delivery-metrics.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * One attempt at a claimed delivery: the target is checked again (DNS can change since the
 * endpoint was saved) and the request goes to the address checked; any 2xx is success. The attempt,
 * the delivery's new state and the endpoint's run of failures are written in one transaction;
 * a delivery out of time is failed, the admins are alerted, and an endpoint failing for
 * WEBHOOK_DISABLE_AFTER_FAILED_DAYS days is disabled.
 */
export async function deliverClaimedWebhook(ctx: WebhookServiceContext, delivery: ClaimedDelivery): Promise<DeliveryOutcome | 'claim-lost'> {
  const hooks = ctx.outgoingWebhooks;
  const outcome = await attempt(ctx, delivery);
  const now = ctx.clock.now();
  const succeeded = outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300;
  const error = succeeded ? null : describeFailure(outcome);
  const next = succeeded ? null : nextWebhookAttempt({ attempts: delivery.attempts, now, giveUpAt: delivery.giveUpAt, random: hooks.random });
  const status = succeeded ? 'succeeded' : next?.kind === 'retry' ? 'pending' : 'failed';
  const settled = await ctx.db.transaction(async (tx) => {
    const ours = await settleDelivery(tx, {
      id: delivery.id,
      leaseToken: delivery.leaseToken,
      status,
      nextAttemptAt: next?.kind === 'retry' ? next.at : null,
      statusCode: outcome.kind === 'answered' ? outcome.status : null,
      error,
      now,
    });
    if (!ours) return false;
    await insertDeliveryAttempt(tx, delivery.id, {
      statusCode: outcome.kind === 'answered' ? outcome.status : null,
      latencyMs: outcome.latencyMs,
      responseExcerpt: outcome.kind === 'answered' ? outcome.excerpt : null,
      error,
      at: now,
    });
    const run = await recordEndpointOutcome(tx, delivery.endpoint.id, succeeded, now);
    if (status === 'failed' && run) {
      const failingDays = run.failingSince ? (now.getTime() - run.failingSince.getTime()) / DAY_MS : 0;
      const disable = failingDays >= ctx.config.WEBHOOK_DISABLE_AFTER_FAILED_DAYS;
      const disabled = disable && (await disableFailingEndpoint(tx, delivery.endpoint.id, `no successful delivery for ${Math.floor(failingDays)} days`, now));
      await recordWebhookFailureAlert(tx, ctx.config, { delivery, lastError: error ?? 'failed', disabled, failingSince: run.failingSince, now });
    }
    return true;
  });
  if (!settled) return 'claim-lost';
  const counted: DeliveryOutcome = outcome.kind === 'refused' ? 'refused' : status === 'pending' ? 'retry' : status;
  hooks.metrics.count(counted);
  return counted;
}

type AttemptOutcome = PostOutcome | { kind: 'refused'; error: string; latencyMs: 0 };

async function attempt(ctx: WebhookServiceContext, delivery: ClaimedDelivery): Promise<AttemptOutcome> {
  const hooks = ctx.outgoingWebhooks;
  const check = await checkWebhookTarget(hooks, delivery.endpoint.url);
  if (!check.ok) return { kind: 'refused', error: `${check.code}: ${check.message}`, latencyMs: 0 };
  let secrets: string[];
  try {
    secrets = activeSigningSecrets(delivery.endpoint, hooks.sealer, ctx.clock.now());
  } catch {
    return { kind: 'refused', error: 'the signing secret cannot be opened (the link-signing key changed?): rotate the endpoint secret', latencyMs: 0 };
  }
  const message = signWebhookMessage({ eventId: delivery.event.id, payload: buildWebhookPayload(delivery.event), secrets, signedAt: hooks.realClock.now() });
  return postToEndpoint(check.target, message.body, message.headers, hooks.timeoutMs);
}

function describeFailure(outcome: AttemptOutcome): string {
  if (outcome.kind !== 'answered') return outcome.error;
  if (outcome.status >= 300 && outcome.status < 400) return `HTTP ${outcome.status}: redirects are not followed`;
  return `HTTP ${outcome.status}`;
}
