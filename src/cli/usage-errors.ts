import type { Command, CommanderError } from 'commander';
import { EX_USAGE } from './cli-support.ts';

export type UsageOutcome = { exitCode: number; line: string | null };

/**
 * Commander's own refusals (unknown option or command, a missing or excess argument, a command
 * without its subcommand) as one line naming the command and its `--help`, with EX_USAGE. Help
 * and version asked for are not errors: exit 0, nothing more to say.
 */
export function describeCommanderError(program: Command, error: CommanderError, argv: readonly string[]): UsageOutcome {
  if (error.exitCode === 0) return { exitCode: 0, line: null };
  const command = findCommand(program, argv);
  const path = commandPath(command);
  const problem =
    error.code === 'commander.help'
      ? `missing command: ${command.commands.map((sub) => sub.name()).filter((name) => name !== 'help').join(', ')}`
      : error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
  return { exitCode: EX_USAGE, line: `${problem} (see \`${path} --help\`)` };
}

/** The deepest command the leading words of the command line name (`recur keys revoke …`). */
function findCommand(program: Command, argv: readonly string[]): Command {
  let command = program;
  for (const word of argv) {
    if (word.startsWith('-')) continue;
    const sub = command.commands.find((candidate) => candidate.name() === word || candidate.aliases().includes(word));
    if (!sub) break;
    command = sub;
  }
  return command;
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent) names.unshift(current.name());
  return names.join(' ');
}
