import { openNotificationChannel, type NotificationChannel } from '../db/postgres-notification-channel.ts';
import type { Logger } from '../shared/logger.ts';
import { createCoalescedRunner } from './coalesced-runner.ts';
import type { DrainPass } from './drain-inbox.ts';

/** The PostgreSQL channel on which processes tell each other that the inbox has new rows. */
export const INBOX_CHANNEL = 'recur_inbox';
/** At most one NOTIFY per this many ms per process, however many events it takes. */
const NOTIFY_INTERVAL_MS = 100;
/** Work due further ahead than this is left to the scheduled run (every minute), which comes first or about as soon. */
const LONGEST_DUE_WAIT_MS = 60_000;
/** A timer fires this much after the due time, so the row is due by the database's clock too. */
const DUE_MARGIN_MS = 50;

/**
 * Work that falls due with no event to announce it: a failed event's retry, a lapsed claim. After a
 * pass that left nothing due, the worker sets a timer for the earliest such time, so a retry runs
 * when it is due instead of at the next scheduled run; a timed pass releases lapsed claims first.
 */
export type DueWork = {
  nextDueAt(): Promise<Date | null>;
  now(): Date;
  releaseLapsedClaims(): Promise<unknown>;
};

export type InboxWakeUp = {
  /** After rows were stored: this process's worker runs soon, and (on PostgreSQL) the other processes' too. */
  wake(): void;
  /** Resolves when this process's worker has nothing running or pending. */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * The inbox worker of this process, woken for free per event: passes run one at a time, wakes
 * while one runs make it look again when it ends, and a pass that stopped on its budget is
 * followed at once by the next. On PostgreSQL a coalesced NOTIFY wakes the other processes' workers
 * too. Nothing here is durable, nor needs to be: the rows are, their claims have leases, and the
 * job engine's minutely run of the inbox job is the safety net for a wake-up lost with a process.
 */
export async function startInboxWakeUp(
  drainPass: (stopping: () => boolean) => Promise<DrainPass>,
  options: { postgresUrl?: string | undefined; logger: Logger; dueWork?: DueWork },
): Promise<InboxWakeUp> {
  const { logger, dueWork } = options;
  let dueTimer: NodeJS.Timeout | null = null;
  let timedPass = false;
  let stopped = false;
  const armForNextDue = async (): Promise<void> => {
    if (!dueWork || stopped) return;
    const due = await dueWork.nextDueAt();
    if (dueTimer) clearTimeout(dueTimer);
    dueTimer = null;
    if (!due || stopped) return;
    const waitMs = Math.max(0, due.getTime() - dueWork.now().getTime());
    if (waitMs > LONGEST_DUE_WAIT_MS) return;
    dueTimer = setTimeout(() => {
      dueTimer = null;
      timedPass = true;
      runner.wake();
    }, waitMs + DUE_MARGIN_MS);
    // The scheduled run is the safety net: a pending timer never holds the process open.
    dueTimer.unref();
  };
  const runner = createCoalescedRunner(
    async (stopping) => {
      if (timedPass && dueWork) {
        timedPass = false;
        await dueWork.releaseLapsedClaims();
      }
      if ((await drainPass(stopping)).more) return 'more';
      await armForNextDue();
      return 'done';
    },
    (error) => logger.warn({ err: error }, 'the inbox worker failed a pass; the scheduled run tries again'),
  );
  let channel: NotificationChannel | null = null;
  if (options.postgresUrl) {
    channel = await openNotificationChannel(options.postgresUrl, INBOX_CHANNEL, {
      minIntervalMs: NOTIFY_INTERVAL_MS,
      onNotice: () => runner.wake(),
      onError: (error) => logger.warn({ err: error }, 'the inbox wake-up channel failed; reconnecting (the scheduled run is the safety net)'),
    });
  }
  return {
    wake() {
      runner.wake();
      channel?.notify();
    },
    idle: () => runner.idle(),
    async stop() {
      stopped = true;
      if (dueTimer) clearTimeout(dueTimer);
      await channel?.close();
      await runner.stop();
    },
  };
}
