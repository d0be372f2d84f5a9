import { randomUUID } from 'node:crypto';
import pg from 'pg';

export type NotificationChannel = {
  /** Tells the other processes listening. Free to call per event: at most one NOTIFY per interval leaves this process. */
  notify(): void;
  close(): Promise<void>;
};

export type ChannelOptions = {
  /** The shortest time between two NOTIFYs of this process; notices asked for meanwhile go out as one at its end. */
  minIntervalMs: number;
  /** Called for another process's notice, and after a reconnect (notices may have been missed while away). */
  onNotice: () => void;
  onError: (error: unknown) => void;
};

const RECONNECT_MS = 1000;

/**
 * LISTEN/NOTIFY on its own connection (a pooled one would lose its LISTEN when returned). Each
 * process's notices carry its own id, so it does not wake itself. Lost connections are made again.
 */
export async function openNotificationChannel(connectionString: string, channel: string, options: ChannelOptions): Promise<NotificationChannel> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`"${channel}" is not a plain channel name`);
  const self = randomUUID();
  let client: pg.Client | null = null;
  let closed = false;
  let lastSentAt = 0;
  let pendingTimer: NodeJS.Timeout | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString });
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== self) options.onNotice();
    });
    const lost = (error?: unknown) => {
      if (client !== next) return;
      client = null;
      if (error) options.onError(error);
      scheduleReconnect();
    };
    next.on('error', lost);
    next.on('end', () => lost());
    await next.connect();
    await next.query(`LISTEN ${channel}`);
    client = next;
  };

  const scheduleReconnect = () => {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect().then(options.onNotice, (error: unknown) => {
        options.onError(error);
        scheduleReconnect();
      });
    }, RECONNECT_MS);
    reconnectTimer.unref();
  };

  const send = () => {
    lastSentAt = performance.now();
    // Lost while down: the listeners' reconnect wakes them, and the schedule is the safety net.
    client?.query('SELECT pg_notify($1, $2)', [channel, self]).catch(options.onError);
  };

  await connect();

  return {
    notify() {
      if (closed || pendingTimer) return;
      const wait = lastSentAt + options.minIntervalMs - performance.now();
      if (wait <= 0) return send();
      pendingTimer = setTimeout(() => {
        pendingTimer = null;
        send();
      }, wait);
      pendingTimer.unref();
    },
    async close() {
      closed = true;
      if (pendingTimer) clearTimeout(pendingTimer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
