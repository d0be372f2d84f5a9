import { Command, CommanderError } from 'commander';
import { registerEventsCommand } from './cli/events-command.ts';
import { registerKeysCommand } from './cli/keys-command.ts';
import { registerMigrateCommand } from './cli/migrate-command.ts';
import { registerNoticesCommand } from './cli/notices-command.ts';
import { registerPlansCommand } from './cli/plans-command.ts';
import { registerSandboxCommand } from './cli/sandbox-command.ts';
import { registerStartCommand } from './cli/start-command.ts';
import { registerSyncCommand } from './cli/sync-command.ts';
import { CliError } from './cli/cli-support.ts';
import { DataDirInUseError } from './db/data-dir-lock.ts';
import { recurVersion } from './runtime/version.ts';

const program = new Command('recur')
  .description('recur: self-hosted subscriptions and payments, kept equal to Stripe and PayPal')
  .version(recurVersion)
  .showHelpAfterError()
  .exitOverride();

registerStartCommand(program);
registerMigrateCommand(program);
registerKeysCommand(program);
registerPlansCommand(program);
registerSandboxCommand(program);
registerEventsCommand(program);
registerSyncCommand(program);
registerNoticesCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  // Commander has already printed its usage message (or the help / version asked for).
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof CliError) {
    process.stderr.write(`recur: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof DataDirInUseError) {
    process.stderr.write(
      `recur: ${error.message}. Only one process can open an embedded database: stop it first (keys, events, notices deliver and sync stripe work beside a running \`recur start\`), or use a PostgreSQL server (DATABASE_URL).\n`,
    );
    return 75;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`recur: ${message.split('\n')[0]}\n`);
  return 1;
}
