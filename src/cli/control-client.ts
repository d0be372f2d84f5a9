import { request } from 'node:http';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { controlRoute, type ControlAnswerLine, type ControlOperation } from '../control/control-operation.ts';
import { errorCatalogue, RecurError, type ErrorCode } from '../shared/errors.ts';
import { CliError } from './cli-support.ts';

/** Nothing listens on the socket: no service runs (or a killed one left its socket behind). */
export const NOT_LISTENING = Symbol('not listening');

/** sysexits EX_TEMPFAIL: the service went away mid-answer; trying again is the remedy. */
const EX_TEMPFAIL = 75;

/**
 * Asks the running service to run `operation` and returns its result; a failure there is thrown
 * here as the same RecurError, so the command reports it as it would have in this process.
 */
export function askRunningService<Input extends z.ZodType, Result, Progress>(
  socketPath: string,
  operation: ControlOperation<Input, Result, Progress>,
  input: z.input<Input>,
  onProgress: (progress: Progress) => void,
): Promise<Result | typeof NOT_LISTENING> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(input);
    const call = request({ socketPath, method: 'POST', path: controlRoute(operation), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    call.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve(NOT_LISTENING);
      else reject(new CliError(`the running recur did not answer on ${socketPath}: ${error.message}`, EX_TEMPFAIL));
    });
    call.on('response', (response) => {
      void readAnswer<Result, Progress>(createInterface({ input: response, crlfDelay: Infinity }), onProgress).then(resolve, reject);
    });
    call.end(body);
  });
}

async function readAnswer<Result, Progress>(lines: AsyncIterable<string>, onProgress: (progress: Progress) => void): Promise<Result> {
  for await (const text of lines) {
    if (text.trim() === '') continue;
    const line = JSON.parse(text) as ControlAnswerLine<Result, Progress>;
    if ('progress' in line) onProgress(line.progress);
    else if ('result' in line) return line.result;
    // An unexpected failure there is a plain error here too, as it would be in this process.
    else if (line.error.code in errorCatalogue && line.error.code !== 'internal_error') throw new RecurError(line.error.code as ErrorCode, line.error.message);
    else throw new Error(line.error.message);
  }
  throw new CliError('the running recur stopped before it answered; try again', EX_TEMPFAIL);
}
