import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopper, urlFrom } from './targets.ts';

const receiverScript = fileURLToPath(new URL('../outgoing-receiver.ts', import.meta.url));

export type ReceiverStats = { received: number; rejected: number; duplicates: number; firstAt: number; lastAt: number };

/** bench/outgoing-receiver.ts in its own process: where endpoint `index` posts, and its counts. */
export type OutgoingReceiver = {
  pid: number | undefined;
  hookUrl(index: number): string;
  /** The secret of each endpoint by index; the counts start again from zero. */
  setSecrets(secrets: string[]): Promise<void>;
  stats(): Promise<ReceiverStats>;
  stop(): Promise<void>;
};

export async function startOutgoingReceiver(latencyMs: number): Promise<OutgoingReceiver> {
  const child = spawn(process.execPath, ['--import', 'tsx', receiverScript, String(latencyMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const base = await urlFrom(child, /receiver listening on (http:\/\/\S+)/, 'the outgoing receiver');
  const hookPath = (index: number) => `/hooks/${index}`;
  return {
    pid: child.pid,
    hookUrl: (index) => `${base}${hookPath(index)}`,
    async setSecrets(secrets) {
      const body = JSON.stringify(Object.fromEntries(secrets.map((secret, index) => [hookPath(index), secret])));
      const response = await fetch(`${base}/control/secrets`, { method: 'PUT', body });
      if (!response.ok) throw new Error(`the receiver refused its secrets: ${response.status}`);
    },
    async stats() {
      return (await (await fetch(`${base}/control/stats`)).json()) as ReceiverStats;
    },
    stop: stopper(child, async () => undefined),
  };
}
