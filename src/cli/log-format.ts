import type { Settings } from '../config/settings-schema.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { createPrettyLogStream } from '../shared/pretty-log-stream.ts';

type Output = NodeJS.WritableStream & { isTTY?: boolean };

/** LOG_FORMAT=auto: readable lines for a person at a terminal, JSON lines for a log collector. */
export function chooseLogFormat(setting: Settings['LOG_FORMAT'], output: { isTTY?: boolean }): 'json' | 'pretty' {
  if (setting !== 'auto') return setting;
  return output.isTTY === true ? 'pretty' : 'json';
}

/** The service's logger on stdout, in the format LOG_FORMAT asks for. */
export function createServiceLogger(settings: Pick<Settings, 'LOG_LEVEL' | 'LOG_FORMAT'>, output: Output = process.stdout, env: NodeJS.ProcessEnv = process.env): Logger {
  // pino's own destination on stdout (synchronous), so no line is lost when the process exits.
  if (chooseLogFormat(settings.LOG_FORMAT, output) === 'json') return createLogger(settings.LOG_LEVEL, output === process.stdout ? undefined : output);
  // https://no-color.org: any value of NO_COLOR turns colours off; a pipe never gets them.
  const colour = output.isTTY === true && env.NO_COLOR === undefined;
  return createLogger(settings.LOG_LEVEL, createPrettyLogStream(output, { colour }));
}
