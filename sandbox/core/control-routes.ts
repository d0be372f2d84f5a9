import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { faultSettingsSchema } from './fault-injection.ts';
import type { ClockMover } from './clock-mover.ts';
import type { SandboxContext, SandboxProvider } from './sandbox-provider.ts';

const advanceBody = z
  .object({
    seconds: z.number().int().min(0).optional(),
    days: z.number().int().min(0).optional(),
    to: z.iso.datetime().optional(),
  })
  .strict()
  .refine((body) => [body.seconds, body.days, body.to].filter((value) => value !== undefined).length === 1, 'send exactly one of seconds, days or to');

function badRequest(message: string) {
  return { error: { code: 'invalid_request', message } };
}

/** The sandbox's own routes under /sandbox: clock, reset, faults, webhook deliveries. */
export function registerControlRoutes(app: FastifyInstance, ctx: SandboxContext, providers: readonly SandboxProvider[], mover: ClockMover): void {
  app.get('/sandbox', async () => ({
    now: ctx.clock.now().toISOString(),
    providers: Object.fromEntries(providers.map((provider) => [provider.name, provider.describe(ctx.baseUrl())])),
  }));

  app.get('/sandbox/clock', async () => ({ now: ctx.clock.now().toISOString(), now_seconds: ctx.clock.nowSeconds() }));

  app.post('/sandbox/clock/advance', async (request, reply) => {
    const parsed = advanceBody.safeParse(request.body ?? {});
    if (!parsed.success) return reply.status(400).send(badRequest(parsed.error.issues.map((issue) => issue.message).join('; ')));
    const { seconds, days, to } = parsed.data;
    const byMs = ((seconds ?? 0) + (days ?? 0) * 86_400) * 1000;
    let steps: number;
    try {
      ({ steps } = await mover.advance(to ? new Date(to) : (from) => new Date(from.getTime() + byMs)));
    } catch (error) {
      // Real time may have carried the clock past a `to` that was ahead when it was checked.
      if (error instanceof RangeError && /cannot go back/.test(error.message)) return reply.status(400).send(badRequest(error.message));
      throw error;
    }
    return { now: ctx.clock.now().toISOString(), now_seconds: ctx.clock.nowSeconds(), steps };
  });

  app.post('/sandbox/reset', async () => {
    for (const provider of providers) provider.reset();
    ctx.webhooks.reset();
    ctx.faults.reset();
    return { reset: true };
  });

  app.get('/sandbox/faults', async () => ctx.faults.current());
  app.put('/sandbox/faults', async (request, reply) => {
    const parsed = faultSettingsSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.status(400).send(badRequest(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')));
    ctx.faults.configure(parsed.data);
    return ctx.faults.current();
  });

  // Requests the providers' APIs received (every one, faulted or not), by provider, method and route.
  app.get('/sandbox/requests', async () => ({ counts: ctx.faults.requestCounts() }));
  app.delete('/sandbox/requests', async () => {
    ctx.faults.clearRequestCounts();
    return { counts: {} };
  });
  app.get('/sandbox/webhooks/deliveries', async () => ({ data: ctx.webhooks.deliveries() }));
  app.post('/sandbox/webhooks/flush', async () => ({ drained: await ctx.webhooks.flush() }));
}
