import { findInboxEventWithPayload, listInboxEvents, type InboxRecord, type InboxStatus } from '../../db/repositories/webhook-inbox-repository.ts';
import type { Page } from '../../db/keyset-page.ts';
import type { ProviderId } from '../../domain/provider.ts';
import type { ServiceContext } from '../service-context.ts';
import { maskEventPayload } from './mask-event-payload.ts';

export const INBOX_STATUSES: readonly InboxStatus[] = ['received', 'processing', 'processed', 'ignored', 'failed', 'dead'];

/** The statuses an admin may send back to the worker (replayInboxEvent's rule). */
export const REPLAYABLE_STATUSES: readonly InboxStatus[] = ['dead', 'failed', 'ignored'];

const PAGE_SIZE = 50;

export type InboxPageFilter = { status?: InboxStatus | undefined; provider?: ProviderId | undefined; before?: number | undefined };

/** A page of the inbox, newest first, without payloads (they can be large and hold personal data). */
export function listInboxForAdmin(ctx: Pick<ServiceContext, 'db'>, filter: InboxPageFilter): Promise<Page<InboxRecord>> {
  return listInboxEvents(ctx.db, { limit: PAGE_SIZE, startingAfter: filter.before, status: filter.status, provider: filter.provider });
}

export type MaskedInboxEvent = { event: InboxRecord; payloadJson: string; masked: number; replayable: boolean };

/** One event with its payload masked (maskEventPayload) and pretty-printed; null when there is none. */
export async function readInboxEventForAdmin(ctx: Pick<ServiceContext, 'db'>, id: number): Promise<MaskedInboxEvent | null> {
  const event = await findInboxEventWithPayload(ctx.db, id);
  if (!event) return null;
  const { payload, masked } = maskEventPayload(event.payload);
  return { event, payloadJson: JSON.stringify(payload, null, 2), masked, replayable: REPLAYABLE_STATUSES.includes(event.status) };
}
