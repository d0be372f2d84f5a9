import { randomUUID } from 'node:crypto';
import { WEBHOOK_RETRY_WINDOW_MS } from '../../domain/webhook-retry-schedule.ts';
import { claimDeliveryPerEndpoint, fanOutOutgoingEvents, type ClaimedDelivery } from '../../db/repositories/webhook-delivery-repository.ts';
import { deliverClaimedWebhook } from './deliver-claimed-webhook.ts';
import type { WebhookServiceContext } from './outgoing-webhooks-context.ts';

const FAN_OUT_BATCH = 500;
/** Endpoints served at once by one pass, each in its own lane. */
const LANES = 16;
/** Deliveries one lane makes before the pass ends and reports more work. */
const LANE_BUDGET = 50;
/** A claim outlives the request's timeout by this much before another worker may take the row. */
const LEASE_MARGIN_MS = 60_000;

export type WebhookPass = { fannedOut: number; delivered: number; more: boolean };

/**
 * One pass of the delivery worker: new events get their delivery rows, then each endpoint with
 * due work gets a lane that delivers its rows one request at a time, and the lanes run side by
 * side, so a slow or dead endpoint holds up only itself. Any number of passes may run in any
 * number of processes: rows are claimed with a lease, and an endpoint with a row in flight is
 * skipped by other claims.
 */
export async function deliverDueWebhooks(ctx: WebhookServiceContext, stopping: () => boolean = () => false): Promise<WebhookPass> {
  let fannedOut = 0;
  for (;;) {
    const now = ctx.clock.now();
    const batch = await fanOutOutgoingEvents(ctx.db, { now, giveUpAt: new Date(now.getTime() + WEBHOOK_RETRY_WINDOW_MS), limit: FAN_OUT_BATCH });
    fannedOut += batch.deliveries;
    if (batch.events < FAN_OUT_BATCH || stopping()) break;
  }
  const first = await claim(ctx, LANES);
  const lanes = await Promise.all(first.map((delivery) => runLane(ctx, delivery, stopping)));
  const delivered = lanes.reduce((sum, lane) => sum + lane.delivered, 0);
  return { fannedOut, delivered, more: first.length === LANES || lanes.some((lane) => lane.more) };
}

async function runLane(ctx: WebhookServiceContext, first: ClaimedDelivery, stopping: () => boolean): Promise<{ delivered: number; more: boolean }> {
  let delivery: ClaimedDelivery | undefined = first;
  let delivered = 0;
  while (delivery) {
    await deliverClaimedWebhook(ctx, delivery);
    delivered += 1;
    if (delivered >= LANE_BUDGET || stopping()) return { delivered, more: true };
    [delivery] = await claim(ctx, 1, delivery.endpoint.id);
  }
  return { delivered, more: false };
}

function claim(ctx: WebhookServiceContext, limit: number, endpointId?: string): Promise<ClaimedDelivery[]> {
  const leaseNow = ctx.outgoingWebhooks.realClock.now();
  const leaseExpiresAt = new Date(leaseNow.getTime() + ctx.outgoingWebhooks.timeoutMs + LEASE_MARGIN_MS);
  return claimDeliveryPerEndpoint(ctx.db, { now: ctx.clock.now(), leaseNow, leaseExpiresAt, leaseToken: randomUUID(), limit, ...(endpointId ? { endpointId } : {}) });
}
