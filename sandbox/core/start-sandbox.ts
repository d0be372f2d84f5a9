import Fastify from 'fastify';
import { ClockMover, type ClockMove } from './clock-mover.ts';
import { FaultInjector } from './fault-injection.ts';
import { registerControlRoutes } from './control-routes.ts';
import { SandboxClock } from './sandbox-clock.ts';
import { StateFile } from './state-file.ts';
import type { SandboxContext, SandboxProvider, SandboxProviderFactory } from './sandbox-provider.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';

export type SandboxOptions = {
  port?: number;
  host?: string;
  /** Where the shared clock starts; default: now, to the second. */
  start?: Date;
  providers: readonly SandboxProviderFactory[];
  webhookRetryDelaysMs?: number[];
  /** Keep the state in this JSON file across restarts; default: memory only. */
  stateFile?: string;
};

export type RunningSandbox = {
  url: string;
  ctx: SandboxContext;
  providers: readonly SandboxProvider[];
  advance(to: Date): Promise<void>;
  /** Calls `listener` after each explicit move of the clock (the control route, `advance`). */
  onClockMoved(listener: (move: ClockMove) => void): () => void;
  /** Lets the clock also move with real time from now on (the development start-up; tests keep it frozen). */
  followRealTime(onError: (error: unknown) => void): void;
  reset(): void;
  describe(): Record<string, unknown>;
  stop(): Promise<void>;
};

/** One HTTP server for every emulated provider, sharing one clock and one webhook dispatcher. */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  let baseUrl = '';
  const faults = new FaultInjector();
  const ctx: SandboxContext = {
    clock: new SandboxClock(options.start),
    faults,
    webhooks: new WebhookDispatcher({ faults, ...(options.webhookRetryDelaysMs ? { retryDelaysMs: options.webhookRetryDelaysMs } : {}) }),
    baseUrl: () => baseUrl,
    stateFile: options.stateFile ?? null,
  };
  const providers = options.providers.map((factory) => factory(ctx));
  const stateFile = options.stateFile ? new StateFile(options.stateFile, ctx.clock, providers) : null;
  stateFile?.load();
  const mover = new ClockMover(ctx.clock, providers, {
    beforeMove: () => ctx.webhooks.settleFirstAttempts(),
    // Real time passing only moves the clock: worth a write at stop, not a write every second.
    onChange: (ranWork) => (ranWork ? stateFile?.scheduleSave() : stateFile?.markChanged()),
  });
  const app = Fastify({ logger: false, bodyLimit: 5 * 1024 * 1024 });
  if (stateFile) {
    // Any request but a read may have changed something (the clock, an object, a setting).
    app.addHook('onResponse', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') stateFile.scheduleSave();
    });
  }
  for (const provider of providers) await app.register(async (scope) => provider.register(scope));
  registerControlRoutes(app, ctx, providers, mover);
  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url: baseUrl,
    ctx,
    providers,
    advance: async (to) => {
      await mover.advance(to);
      stateFile?.scheduleSave();
    },
    onClockMoved: (listener) => mover.onMove(listener),
    followRealTime: (onError) => mover.followRealTime(onError),
    reset: () => {
      for (const provider of providers) provider.reset();
      ctx.webhooks.reset();
      faults.reset();
    },
    describe: () => ({ url: baseUrl, now: ctx.clock.now().toISOString(), providers: Object.fromEntries(providers.map((p) => [p.name, p.describe(baseUrl)])) }),
    stop: async () => {
      await mover.stop();
      ctx.webhooks.reset();
      await app.close();
      stateFile?.saveIfChanged();
    },
  };
}
