import type { z } from 'zod';
import type { Config } from '../config/load-config.ts';
import { controlSocketPath, type ControlOperation } from '../control/control-operation.ts';
import { DataDirInUseError } from '../db/data-dir-lock.ts';
import { openStore, type Store } from '../runtime/open-store.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { systemClock } from '../shared/clock.ts';
import { RecurError } from '../shared/errors.ts';
import { askRunningService, NOT_LISTENING } from './control-client.ts';

/** What an operation needs beyond the database, built in this process when no service runs. */
export type LocalContext = { ctx: ServiceContext; close?: () => Promise<void> };

export type RunOptions<Progress> = {
  config: Config;
  onProgress?: (progress: Progress) => void;
  openLocalContext?: (base: ServiceContext) => Promise<LocalContext>;
};

/** A `recur start` still starting has the directory locked but no socket yet; its socket opens within this. */
const START_WAIT_MS = 30_000;
const POLL_MS = 200;

/**
 * Runs a CLI command's operation: through the running `recur start` when one holds the embedded
 * database (its control socket), otherwise here, on the database opened for this command alone.
 */
export async function runControlOperation<Input extends z.ZodType, Result, Progress>(
  operation: ControlOperation<Input, Result, Progress>,
  input: z.input<Input>,
  options: RunOptions<Progress>,
): Promise<Result> {
  const socketPath = controlSocketPath(options.config);
  const onProgress = options.onProgress ?? (() => {});
  const waitUntil = Date.now() + START_WAIT_MS;
  for (let waited = false; ; waited = true) {
    if (socketPath) {
      const answer = await askRunningService(socketPath, operation, input, onProgress);
      if (answer !== NOT_LISTENING) return answer;
    }
    const unavailable = operation.unavailable?.(options.config);
    if (unavailable) throw new RecurError('not_configured', unavailable);
    const store = await openStoreUnlessStarting(options.config, operation.name, socketPath !== null && Date.now() < waitUntil, waited);
    if (store) return runHere(store, operation, input, options);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Null while a `recur start` holds the directory and may still open its socket. */
async function openStoreUnlessStarting(config: Config, command: string, mayWait: boolean, waited: boolean): Promise<Store | null> {
  try {
    return await openStore(config, systemClock, command);
  } catch (error) {
    if (!(error instanceof DataDirInUseError) || error.holder.command !== 'start' || !mayWait) throw error;
    if (!waited) process.stderr.write(`recur: waiting for \`recur start\` (pid ${error.holder.pid}) to finish starting…\n`);
    return null;
  }
}

async function runHere<Input extends z.ZodType, Result, Progress>(store: Store, operation: ControlOperation<Input, Result, Progress>, input: z.input<Input>, options: RunOptions<Progress>): Promise<Result> {
  try {
    const base: ServiceContext = { db: store.db, clock: systemClock, config: options.config };
    const local = options.openLocalContext ? await options.openLocalContext(base) : { ctx: base };
    try {
      const result = await operation.run(local.ctx, operation.input.parse(input), options.onProgress ?? (() => {}));
      // As it would arrive through the socket: the command prints one shape, whichever path ran it.
      return JSON.parse(JSON.stringify(result)) as Result;
    } finally {
      await local.close?.();
    }
  } finally {
    await store.close();
  }
}
