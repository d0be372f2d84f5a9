import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram, runCommandLine } from '../../src/cli/create-program.ts';

/** Every command a user can type (the leaves of the tree), as words: ['keys', 'revoke']. */
function leafCommands(command: Command, path: string[] = []): { path: string[]; command: Command }[] {
  if (command.commands.length === 0) return [{ path, command }];
  return command.commands.flatMap((sub) => leafCommands(sub, [...path, sub.name()]));
}

async function run(argv: string[]): Promise<{ code: number; lines: string[] }> {
  let written = '';
  const code = await runCommandLine(argv, (text) => (written += text));
  return { code, lines: written.split('\n').filter(Boolean) };
}

const leaves = leafCommands(createProgram());
const named = leaves.map(({ path, command }) => [path.join(' '), path, command] as const);

describe('every wrong use of every command is one line and exit 64 (EX_USAGE)', () => {
  it('knows every command', () => {
    expect(leaves.map(({ path }) => path.join(' '))).toEqual(
      expect.arrayContaining(['start', 'migrate', 'keys create', 'keys list', 'keys revoke', 'admin create-user', 'plans list', 'plans sync', 'sandbox', 'events list', 'events replay', 'sync', 'notices preview', 'notices list', 'notices deliver', 'webhooks listen']),
    );
  });

  it.each(named)('%s: an unknown option', async (name, path) => {
    expect(await run([...path, '--no-such-option'])).toEqual({ code: 64, lines: [`recur: unknown option '--no-such-option' (see \`recur ${name} --help\`)`] });
  });

  it.each(named)('%s: arguments it does not take', async (name, path, command) => {
    const taken = command.registeredArguments.length;
    const result = await run([...path, ...Array.from({ length: taken + 1 }, (_, n) => `extra${n}`)]);
    expect(result.code).toBe(64);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(new RegExp(`^recur: too many arguments for '${command.name()}'\\. .* \\(see \`recur ${name} --help\`\\)$`));
  });

  it.each(named.filter(([, , command]) => command.registeredArguments.some((argument) => argument.required)))('%s: a missing argument', async (name, path, command) => {
    expect(await run(path)).toEqual({ code: 64, lines: [`recur: missing required argument '${command.registeredArguments[0]!.name()}' (see \`recur ${name} --help\`)`] });
  });

  it.each(named.flatMap(([name, path, command]) => command.options.filter((option) => option.required).map((option) => [`${name} ${option.long}`, path, option.long!] as const)))(
    '%s: an option without its value',
    async (_name, path, flag) => {
      const result = await run([...path, flag]);
      expect(result.code).toBe(64);
      expect(result.lines).toEqual([expect.stringMatching(new RegExp(`^recur: option '${flag} <[^>]+>' argument missing \\(see \`recur ${path.join(' ')} --help\`\\)$`))]);
    },
  );

  it.each<[string, string[], string]>([
    ['an unknown command', ['frobnicate'], "recur: unknown command 'frobnicate' (see `recur --help`)"],
    ['a misspelt command', ['strat'], "recur: unknown command 'strat' (Did you mean start?) (see `recur --help`)"],
    ['an unknown subcommand', ['keys', 'frob'], "recur: unknown command 'frob' (see `recur keys --help`)"],
    ['no command at all', [], 'recur: missing command: start, migrate, keys, admin, plans, sandbox, events, sync, notices, webhooks (see `recur --help`)'],
    ['a group without its command', ['notices'], 'recur: missing command: preview, list, deliver (see `recur notices --help`)'],
    ['an unknown option of recur itself', ['--bogus'], "recur: unknown option '--bogus' (see `recur --help`)"],
  ])('%s', async (_name, argv, expected) => {
    expect(await run(argv)).toEqual({ code: 64, lines: [expected] });
  });
});
