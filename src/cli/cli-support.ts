import { ConfigError, loadConfig, type Config } from '../config/load-config.ts';

/** sysexits: the command was used wrongly (an option or argument). */
export const EX_USAGE = 64;

/** The CLI's one way to fail: a single line on stderr and a non-zero exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`configuration error: ${error.message}`, 78);
    throw error;
  }
}
