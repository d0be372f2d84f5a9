import type { Command } from 'commander';
import { createAdminUserOperation } from '../control/control-operations.ts';
import { normalizeUsername, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN } from '../services/admin/create-admin-user.ts';
import { CliError, EX_USAGE, loadConfigOrExit } from './cli-support.ts';
import { runControlOperation } from './run-control-operation.ts';

/** All of stdin, without the one line end a shell's `echo` or a here-string adds. */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function registerAdminCommand(program: Command): void {
  const admin = program.command('admin').description('the admin dashboard (/admin): staff accounts; beside a running `recur start` too');

  admin
    .command('create-user')
    .description('create a staff account for the admin dashboard, the password read from stdin')
    .option('--username <name>', 'what the person signs in with (letters, digits, . _ @ -; compared in lower case)')
    .option('--password-stdin', 'read the password from stdin (at least 12 characters); never from the command line, where `ps` and the shell history would show it')
    .action(async (options: { username?: string; passwordStdin?: boolean }) => {
      if (options.username === undefined) throw new CliError('--username is required: the name the person signs in with', EX_USAGE);
      const username = normalizeUsername(options.username);
      if (!USERNAME_PATTERN.test(username)) throw new CliError('--username must be 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit', EX_USAGE);
      if (!options.passwordStdin) throw new CliError('give the password on stdin with --password-stdin, e.g. `printf %s "$PASSWORD" | recur admin create-user --username anna --password-stdin`', EX_USAGE);
      const password = await readPasswordFromStdin();
      if (password.length < PASSWORD_MIN_LENGTH) throw new CliError(`the password on stdin must be at least ${PASSWORD_MIN_LENGTH} characters (got ${password.length})`, EX_USAGE);
      if (password.length > PASSWORD_MAX_LENGTH) throw new CliError(`the password on stdin must be at most ${PASSWORD_MAX_LENGTH} characters`, EX_USAGE);
      const created = await runControlOperation(createAdminUserOperation, { username, password }, { config: loadConfigOrExit() });
      console.log(`created admin user "${created.username}" (${created.id}); sign in at /admin/sign-in`);
    });
}
