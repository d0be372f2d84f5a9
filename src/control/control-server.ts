import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { PassThrough } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import type { Config } from '../config/load-config.ts';
import { closeHttpApp } from '../http/close-http-app.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { RecurError, validationFailed } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { findUnstorableText } from '../shared/storable-text.ts';
import { controlRoute, controlSocketPath, type ControlAnswerLine, type ControlOperation } from './control-operation.ts';
import { controlOperations } from './control-operations.ts';
import { wakeWorkersAfterWrite } from '../services/wake-workers-after-write.ts';

export type ControlServer = { path: string; close(): Promise<void> };

/**
 * The running service's local control channel (ADR 0011): the CLI's operations on a Unix socket
 * in the data directory, owner-only. Who can open the socket file is who may use it; there is no
 * other authentication. Only on the embedded database (null on PostgreSQL), and never fatal: a
 * service whose socket cannot be opened still serves, and the CLI then refuses as before.
 */
export async function startControlServer(settings: Config, ctx: ServiceContext, logger: Logger): Promise<ControlServer | null> {
  const path = controlSocketPath(settings);
  if (!path) return null;
  const app = buildControlApp(settings, ctx, logger);
  try {
    prepareSocketPath(path);
    await app.listen({ path });
    // The directory (0700) already keeps others out; the socket's own bits say the same.
    chmodSync(path, 0o600);
  } catch (error) {
    await app.close();
    logger.warn({ err: error, path }, 'control socket not opened: CLI commands cannot reach this service while it runs');
    return null;
  }
  // Closing the server removes the socket file.
  return { path, close: () => closeHttpApp(app) };
}

/** The socket's directory owner-only; a socket already there belongs to a killed process. */
function prepareSocketPath(path: string): void {
  const directory = dirname(path);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  chmodSync(directory, 0o700);
  // Only the holder of the data directory's lock gets here, so no live service answers on it.
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (existing?.isSocket()) unlinkSync(path);
  else if (existing) throw new Error(`${path} exists and is not a socket`);
}

function buildControlApp(settings: Config, ctx: ServiceContext, logger: Logger): FastifyInstance {
  const app = Fastify({ bodyLimit: 64 * 1024 });
  const log = logger.child({ channel: 'control' });
  for (const operation of controlOperations) {
    app.post(controlRoute(operation), async (request, reply) => {
      const answer = new PassThrough();
      void reply.type('application/x-ndjson').send(answer);
      const write = (line: ControlAnswerLine) => answer.write(`${JSON.stringify(line)}\n`);
      const started = performance.now();
      try {
        write({ result: await runOperation(operation, settings, ctx, request.body, (progress) => write({ progress })) });
        log.info({ operation: operation.name, ms: Math.round(performance.now() - started) }, 'control operation');
        // What it wrote (a reconciliation's repairs, say) may have queued notices and events.
        wakeWorkersAfterWrite(ctx);
      } catch (error) {
        const failure = describeFailure(error);
        if (failure.code === 'internal_error') log.error({ err: error, operation: operation.name }, 'control operation failed');
        write({ error: failure });
      }
      answer.end();
      return reply;
    });
  }
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'route_not_found', message: `the running recur does not offer \`recur${request.url.split('/').join(' ')}\`: it is an older version, restart it` } }),
  );
  app.setErrorHandler((error, _request, reply) => reply.status(400).send({ error: describeFailure(error) }));
  return app;
}

/** With the service's own settings: in the key-less setup they name its sandbox. */
async function runOperation(operation: ControlOperation, settings: Config, ctx: ServiceContext, body: unknown, report: (progress: unknown) => void): Promise<unknown> {
  // As on the HTTP API: text the database cannot store is refused, never a failed insert.
  const unstorable = findUnstorableText(body);
  if (unstorable) throw validationFailed(`${unstorable.path || 'input'}: contains ${unstorable.character}, which cannot be stored`);
  const input = operation.input.parse(body ?? {});
  const unavailable = operation.unavailable?.(settings);
  if (unavailable) throw new RecurError('not_configured', unavailable);
  return operation.run(ctx, input, report);
}

function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof RecurError) return { code: error.code, message: error.message };
  if (error instanceof ZodError) return { code: 'validation_failed', message: error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ') };
  // Only this machine's user reads it: the message says what went wrong, as it would in the CLI.
  return { code: 'internal_error', message: error instanceof Error ? error.message : String(error) };
}
