import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FaultInjector, SandboxProviderName } from './fault-injection.ts';
import type { SandboxClock } from './sandbox-clock.ts';
import type { TimeDriven } from './time-scheduler.ts';
import type { WebhookDispatcher } from './webhook-dispatcher.ts';

/** What every emulated provider gets from the sandbox: the one clock, faults, webhook delivery. */
export type SandboxContext = {
  clock: SandboxClock;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  /** The sandbox's own base URL once it listens (for hosted pages and links in objects). */
  baseUrl: () => string;
  /** The state file the sandbox keeps, or null in memory (a provider may write companions beside it). */
  stateFile: string | null;
};

/**
 * One emulated provider. Stripe's routes live at the server's root (its SDK has no base path);
 * every other provider lives under `/{name}/`, which its SDK's base-URL override points at.
 */
export interface SandboxProvider extends TimeDriven {
  readonly name: SandboxProviderName;
  register(app: FastifyInstance): Promise<void> | void;
  /** Forgets every object (POST /sandbox/reset). */
  reset(): void;
  /** Base URL, keys and secrets a client needs, for `recur sandbox` and tests. */
  describe(baseUrl: string): Record<string, unknown>;
  /** Everything it remembers, as plain JSON data (for a sandbox started with a state file). */
  snapshot(): unknown;
  /** Replaces its state with one `snapshot` returned (possibly by an earlier process). */
  restore(snapshot: unknown): void;
}

export type SandboxProviderFactory = (ctx: SandboxContext) => SandboxProvider;

/**
 * Applies the configured request faults to every route registered in `app` (a provider's
 * encapsulated scope): added latency first, then maybe an error in the provider's own shape.
 */
export function installRequestFaults(
  app: FastifyInstance,
  ctx: SandboxContext,
  provider: SandboxProviderName,
  sendError: (reply: FastifyReply, status: 500 | 429 | 503, retryAfterSeconds: number) => FastifyReply,
): void {
  app.addHook('onRequest', async (request, reply) => {
    const fault = ctx.faults.forRequest(provider, request.method, request.routeOptions.url ?? request.url);
    if (fault.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    if (!fault.error) return;
    if (fault.error.status === 429) reply.header('retry-after', String(fault.error.retryAfterSeconds));
    return sendError(reply, fault.error.status, fault.error.retryAfterSeconds);
  });
}
