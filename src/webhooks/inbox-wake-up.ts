import { openNotificationChannel, type NotificationChannel } from '../db/postgres-notification-channel.ts';
import type { Logger } from '../shared/logger.ts';
import { createCoalescedRunner } from './coalesced-runner.ts';
import type { DrainPass } from './drain-inbox.ts';

/** The PostgreSQL channel on which processes tell each other that the inbox has new rows. */
export const INBOX_CHANNEL = 'recur_inbox';
/** At most one NOTIFY per this many ms per process, however many events it takes. */
const NOTIFY_INTERVAL_MS = 100;

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
export async function startInboxWakeUp(drainPass: (stopping: () => boolean) => Promise<DrainPass>, options: { postgresUrl?: string | undefined; logger: Logger }): Promise<InboxWakeUp> {
  const { logger } = options;
  const runner = createCoalescedRunner(
    async (stopping) => ((await drainPass(stopping)).more ? 'more' : 'done'),
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
      await channel?.close();
      await runner.stop();
    },
  };
}
