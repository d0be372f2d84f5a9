import { Command, CommanderError } from 'commander';
import { DataDirInUseError } from '../db/data-dir-lock.ts';
import { recurVersion } from '../runtime/version.ts';
import { registerAdminCommand } from './admin-command.ts';
import { CliError } from './cli-support.ts';
import { registerEventsCommand } from './events-command.ts';
import { registerKeysCommand } from './keys-command.ts';
import { registerMigrateCommand } from './migrate-command.ts';
import { registerNoticesCommand } from './notices-command.ts';
import { registerPlansCommand } from './plans-command.ts';
import { registerSandboxCommand } from './sandbox-command.ts';
import { registerStartCommand } from './start-command.ts';
import { registerSyncCommand } from './sync-command.ts';
import { describeCommanderError } from './usage-errors.ts';
import { registerWebhooksCommand } from './webhooks-command.ts';

/** The `recur` command with every subcommand; a fresh one per command line (Commander keeps state). */
export function createProgram(): Command {
  const program = new Command('recur')
    .description('recur: self-hosted subscriptions and payments, kept equal to Stripe and PayPal')
    .version(recurVersion)
    // Commander's own messages are replaced by one line of recur's (describeCommanderError).
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .exitOverride();

  registerStartCommand(program);
  registerMigrateCommand(program);
  registerKeysCommand(program);
  registerAdminCommand(program);
  registerPlansCommand(program);
  registerSandboxCommand(program);
  registerEventsCommand(program);
  registerSyncCommand(program);
  registerNoticesCommand(program);
  registerWebhooksCommand(program);
  return program;
}

/** Runs one command line; a failure is one line on `writeError` and the exit code is returned. */
export async function runCommandLine(argv: readonly string[], writeError: (line: string) => void): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    const { exitCode, line } = describeFailure(program, error, argv);
    if (line) writeError(`recur: ${line}\n`);
    return exitCode;
  }
}

function describeFailure(program: Command, error: unknown, argv: readonly string[]): { exitCode: number; line: string | null } {
  if (error instanceof CommanderError) return describeCommanderError(program, error, argv);
  if (error instanceof CliError) return { exitCode: error.exitCode, line: error.message };
  if (error instanceof DataDirInUseError) {
    const advice = 'Only one process can open an embedded database: stop it first (keys, events, notices deliver and sync stripe work beside a running `recur start`), or use a PostgreSQL server (DATABASE_URL).';
    return { exitCode: 75, line: `${error.message}. ${advice}` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: 1, line: message.split('\n')[0]! };
}
