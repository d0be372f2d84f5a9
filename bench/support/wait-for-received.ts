import type { OutgoingReceiver, ReceiverStats } from './outgoing-receiver-process.ts';

const POLL_MS = 50;
/** No new event for this long: the run is reported as it stands (the CLI then fails on the shortfall). */
const STALL_MS = 30_000;

/** How a wait ended: every event in, the time cap reached, or nothing new for STALL_MS. */
export type WaitEnd = 'all' | 'cap' | 'stalled';

/** Polls the receiver until it has `events` distinct events, `capMs` have passed since `startedAt`, or nothing new arrived for STALL_MS. */
export async function waitForReceived(receiver: OutgoingReceiver, events: number, startedAt: number, capMs: number): Promise<{ stats: ReceiverStats; end: WaitEnd }> {
  let last = await receiver.stats();
  let progressAt = Date.now();
  for (;;) {
    if (last.received >= events) return { stats: last, end: 'all' };
    if (Date.now() - startedAt >= capMs) return { stats: last, end: 'cap' };
    if (Date.now() - progressAt >= STALL_MS) return { stats: last, end: 'stalled' };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const now = await receiver.stats();
    if (now.received > last.received) progressAt = Date.now();
    last = now;
  }
}
