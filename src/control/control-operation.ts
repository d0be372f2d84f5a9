import { join, resolve } from 'node:path';
import type { z } from 'zod';
import type { Config } from '../config/load-config.ts';
import { databaseTarget } from '../db/open-database.ts';
import type { ServiceContext } from '../services/service-context.ts';

/**
 * A CLI command's work on recur's data. The CLI runs it in its own process when no service runs,
 * or asks the running `recur start` to run it through the control socket (the embedded database
 * admits one process). Either way the result is plain JSON, so the CLI prints it with one code path.
 */
export type ControlOperation<Input extends z.ZodType = z.ZodType, Result = unknown, Progress = unknown> = {
  /** The CLI command, e.g. `keys create`: also the lock holder's name and the socket route. */
  name: string;
  input: Input;
  /** Why these settings cannot run it (a provider without a key): checked before anything is opened. */
  unavailable?(settings: Config): string | null;
  run(ctx: ServiceContext, input: z.output<Input>, report: (progress: Progress) => void): Promise<Result>;
};

export const defineControlOperation = <Input extends z.ZodType, Result, Progress = never>(
  operation: ControlOperation<Input, Result, Progress>,
): ControlOperation<Input, Result, Progress> => operation;

/** One line of a control answer (NDJSON): any progress lines, then one result or one error. */
export type ControlAnswerLine<Result = unknown, Progress = unknown> = { progress: Progress } | { result: Result } | { error: { code: string; message: string } };

export const controlRoute = (operation: Pick<ControlOperation, 'name'>): string => `/${operation.name.replaceAll(' ', '/')}`;

/**
 * `<RECUR_DATA_DIR>/recur.sock` on the embedded database; null on PostgreSQL, where the CLI opens
 * the database itself beside any number of services.
 */
export function controlSocketPath(settings: { DATABASE_URL?: string | undefined; RECUR_DATA_DIR: string }, cwd = process.cwd()): string | null {
  if (databaseTarget(settings, cwd).kind === 'postgres') return null;
  return join(resolve(cwd, settings.RECUR_DATA_DIR), 'recur.sock');
}
