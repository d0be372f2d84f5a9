import { z } from 'zod';
import { deleteFinishedWebhookDeliveries, deleteUndeliverableOutgoingEvents } from '../db/repositories/webhook-retention-repository.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { defineJob } from './job-definition.ts';

export const DELETE_OLD_WEBHOOK_DELIVERIES = 'delete-old-webhook-deliveries';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Rows one statement deletes: each batch is its own short transaction, so no lock is held long. */
const BATCH_SIZE = 1000;
/** Batches of each kind one run deletes at most; a larger backlog goes on in the next day's run. */
const MAX_BATCHES = 500;

export type DeletedWebhookRows = { deliveries: number; events: number };

/**
 * Deletes the deliveries to the shop's endpoints that finished (succeeded or failed) more than
 * WEBHOOK_DELIVERY_RETENTION_DAYS ago, with their attempts, then the events older than that which
 * no delivery refers to any more. A pending or in-flight delivery is never deleted, and so neither
 * is its event. Deliveries go first: an event is free only once its deliveries are gone.
 */
export async function deleteOldWebhookDeliveries(ctx: Pick<ServiceContext, 'db' | 'clock' | 'config'>, options: { batchSize?: number } = {}): Promise<DeletedWebhookRows> {
  const before = new Date(ctx.clock.now().getTime() - ctx.config.WEBHOOK_DELIVERY_RETENTION_DAYS * DAY_MS);
  const limit = options.batchSize ?? BATCH_SIZE;
  const deleteInBatches = async (deleteBatch: (input: { before: Date; limit: number }) => Promise<number>) => {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const deleted = await deleteBatch({ before, limit });
      total += deleted;
      if (deleted < limit) break;
    }
    return total;
  };
  const deliveries = await deleteInBatches((input) => deleteFinishedWebhookDeliveries(ctx.db, input));
  const events = await deleteInBatches((input) => deleteUndeliverableOutgoingEvents(ctx.db, input));
  return { deliveries, events };
}

export const deleteOldWebhookDeliveriesJob = (ctx: Pick<ServiceContext, 'db' | 'clock' | 'config'>) =>
  defineJob({
    name: DELETE_OLD_WEBHOOK_DELIVERIES,
    description: 'Deletes webhook deliveries finished more than WEBHOOK_DELIVERY_RETENTION_DAYS ago (with their attempts) and the events no delivery refers to any more',
    payload: z.object({}).passthrough(),
    retryLimit: 3,
    retryDelaySeconds: 300,
    expireInSeconds: 3600,
    cron: '41 3 * * *',
    handle: async () => {
      await deleteOldWebhookDeliveries(ctx);
    },
  });
