import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemorySampler, readCpuSeconds } from './process-memory.ts';
import { sendLoad } from './send-load.ts';
import { signedInvoiceEvents } from './signed-events.ts';
import { launchRecur, recurEnvironment, scratchDatabase, stopper, type Engine } from './targets.ts';

/** service: webhooks only, the sandbox off. sandbox: key-less `npm start`, emulators in the same process. */
export type Mode = 'service' | 'sandbox';

export type StartupFigures = {
  engine: Engine;
  mode: Mode;
  firstStartMs: number;
  firstStartCpuS: number;
  /** The median of the restarts (one when --restarts is 1), and the slowest of them. */
  restartMs: number;
  restartCpuS: number;
  restarts: number;
  slowestRestartMs: number;
  idleMb: number;
  firstMinutePeakMb: number;
  restartIdleMb: number;
  webhooks: number;
  afterWebhooksMb: number;
  overallPeakMb: number;
};

export type StartupPlan = { restarts: number; settleSeconds: number; windowSeconds: number; webhooks: number; concurrency: number; adminUrl: string };

const SECRET = 'whsec_recur_bench_startup';
const READY_TIMEOUT_MS = 300_000;
const WEBHOOK_BATCH = 500;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

type Launched = { child: ChildProcess; memory: MemorySampler; spawnedAt: number; readyMs: number; readyCpuS: number; baseUrl: string; stop(): Promise<void> };

/** Starts recur and polls /readyz from the moment of the spawn: the time is what a user waits. */
async function launchUntilReady(env: NodeJS.ProcessEnv): Promise<Launched> {
  const spawnedAt = performance.now();
  const { child, url } = launchRecur(env);
  url.catch(() => undefined);
  const memory = new MemorySampler(child.pid!);
  const baseUrl = `http://127.0.0.1:${env.PORT}`;
  const stop = stopper(child, async () => memory.stop());
  let exitedWith: string | null = null;
  child.once('exit', (code, signal) => (exitedWith = String(code ?? signal)));
  for (;;) {
    if (exitedWith !== null) {
      memory.stop();
      throw new Error(`recur exited (${exitedWith}) before /readyz answered: ${await url.then(() => '', (error: Error) => error.message)}`);
    }
    if (performance.now() - spawnedAt > READY_TIMEOUT_MS) {
      await stop();
      throw new Error(`/readyz did not answer 200 within ${READY_TIMEOUT_MS / 1000} s`);
    }
    const ready = await fetch(`${baseUrl}/readyz`).then((response) => response.status === 200, () => false);
    if (ready) {
      const readyMs = performance.now() - spawnedAt;
      const readyCpuS = readCpuSeconds(child.pid!);
      // The banner follows /readyz when the sandbox is connected; the start-up is done then.
      await url;
      return { child, memory, spawnedAt, readyMs, readyCpuS, baseUrl, stop };
    }
    await sleep(25);
  }
}

async function environmentFor(engine: Engine, mode: Mode, location: string): Promise<NodeJS.ProcessEnv> {
  const env = recurEnvironment(engine, SECRET, location);
  env.PORT = String(await freePort());
  if (mode === 'sandbox') {
    delete env.STRIPE_WEBHOOK_SECRET;
    Object.assign(env, { SANDBOX: 'auto', SANDBOX_PORT: String(await freePort()) });
  }
  return env;
}

/** The signing secret recur accepts: the bench's own, or the sandbox's Stripe account's. */
async function webhookSecret(mode: Mode, env: NodeJS.ProcessEnv): Promise<string> {
  if (mode === 'service') return SECRET;
  const response = await fetch(`http://127.0.0.1:${env.SANDBOX_PORT}/sandbox`);
  const description = (await response.json()) as { providers: { stripe: { webhookSecret: string } } };
  return description.providers.stripe.webhookSecret;
}

/** First start on a fresh database, its first minute, a restart on the same data, then webhooks. */
export async function measureStartup(engine: Engine, mode: Mode, plan: StartupPlan): Promise<StartupFigures> {
  const database = await scratchDatabase(engine, plan.adminUrl, `startup_${mode}`);
  try {
    const env = await environmentFor(engine, mode, database.location);
    const first = await launchUntilReady(env);
    process.stderr.write(`bench: ${engine} / ${mode}: first start ready in ${(first.readyMs / 1000).toFixed(1)} s (${first.readyCpuS.toFixed(1)} s CPU)\n`);
    let idleMb: number;
    let firstMinutePeakMb: number;
    try {
      await sleep(Math.max(0, first.readyMs + plan.settleSeconds * 1000 - (performance.now() - first.spawnedAt)));
      idleMb = first.memory.current();
      await sleep(Math.max(0, plan.windowSeconds * 1000 - (performance.now() - first.spawnedAt)));
      firstMinutePeakMb = first.memory.peak();
    } finally {
      await first.stop();
    }

    const second = await launchUntilReady(env);
    let restartIdleMb: number;
    let afterWebhooksMb: number;
    let overallPeakMb: number;
    process.stderr.write(`bench: ${engine} / ${mode}: restart ready in ${(second.readyMs / 1000).toFixed(1)} s (${second.readyCpuS.toFixed(1)} s CPU)\n`);
    try {
      await sleep(plan.settleSeconds * 1000);
      restartIdleMb = second.memory.current();
      const secret = await webhookSecret(mode, env);
      // Signed a batch at a time: on a busy machine 10,000 take longer than the five minutes a
      // signature's timestamp is accepted.
      for (let sent = 0; sent < plan.webhooks; sent += WEBHOOK_BATCH) {
        const events = signedInvoiceEvents(Math.min(WEBHOOK_BATCH, plan.webhooks - sent), secret, `${engine}_${mode}_${process.pid}_${sent}`);
        const load = await sendLoad(`${second.baseUrl}/webhooks/stripe`, events, plan.concurrency);
        if (load.failures > 0) throw new Error(`${load.failures} webhooks were not acknowledged with 200: ${JSON.stringify(load.statuses)}`);
      }
      // The worker processes the stored events after the acknowledgements; give it the settle time.
      await sleep(plan.settleSeconds * 1000);
      afterWebhooksMb = second.memory.current();
      overallPeakMb = Math.max(firstMinutePeakMb, second.memory.peak());
    } finally {
      await second.stop();
    }
    // More restarts on the same data: one restart is one sample of a figure that varies.
    const restarts = [{ ms: second.readyMs, cpuS: second.readyCpuS }];
    while (restarts.length < plan.restarts) {
      const again = await launchUntilReady(env);
      await again.stop();
      restarts.push({ ms: again.readyMs, cpuS: again.readyCpuS });
    }
    const byTime = [...restarts].sort((a, b) => a.ms - b.ms);
    const median = byTime[Math.floor((byTime.length - 1) / 2)]!;
    if (restarts.length > 1) process.stderr.write(`bench: ${engine} / ${mode}: ${restarts.length} restarts, median ${(median.ms / 1000).toFixed(2)} s, slowest ${(byTime.at(-1)!.ms / 1000).toFixed(2)} s (in order: ${restarts.map((r) => (r.ms / 1000).toFixed(2)).join(' ')})\n`);
    return {
      engine,
      mode,
      firstStartMs: first.readyMs,
      firstStartCpuS: first.readyCpuS,
      restartMs: median.ms,
      restartCpuS: median.cpuS,
      restarts: restarts.length,
      slowestRestartMs: byTime.at(-1)!.ms,
      idleMb,
      firstMinutePeakMb,
      restartIdleMb,
      webhooks: plan.webhooks,
      afterWebhooksMb,
      overallPeakMb,
    };
  } finally {
    await database.drop();
  }
}
