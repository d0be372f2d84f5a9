import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, EX_USAGE } from './cli-support.ts';

const parsePort = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new CliError(`--port must be a whole number from 0 to 65535 (got "${value}")`, EX_USAGE);
  return Number(value);
};

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('run the local emulators of Stripe, PayPal, SendGrid and Twilio alone, with one shared clock')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 12111)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--state-file <path>', 'keep the emulators\' state in this JSON file across restarts (default: memory only)')
    .option('--json', 'print one JSON object (base URLs, keys, secrets) for programs')
    .action(async (options: { port: number; host: string; stateFile?: string; json?: boolean }) => {
      // Loaded only here and in a key-less `recur start`: production paths never import sandbox/.
      const { startDefaultSandbox } = await import('../../sandbox/start-default-sandbox.ts');
      const sandbox = await startDefaultSandbox({ port: options.port, host: options.host, ...(options.stateFile ? { stateFile: resolve(options.stateFile) } : {}) });
      const description = sandbox.describe();
      if (options.json) console.log(JSON.stringify(description));
      else process.stderr.write(`${formatSandboxBanner(sandbox.url, description)}\nPress Ctrl-C to stop.\n`);
      const stop = async () => {
        await sandbox.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}

/** Human lines: where each provider is, its keys, and its inbox; `--json` has everything. */
export function formatSandboxBanner(url: string, description: Record<string, unknown>): string {
  const providers = (description.providers ?? {}) as Record<string, Record<string, unknown>>;
  const lines = [`sandbox providers on ${url} (shared clock ${String(description.now)}; control ${url}/sandbox)`];
  for (const [name, details] of Object.entries(providers)) {
    const facts = Object.entries(details)
      .filter(([, value]) => typeof value === 'string')
      .map(([key, value]) => `${key}=${String(value)}`);
    const inbox = (details.inbox as { html?: string } | undefined)?.html;
    if (inbox) facts.push(`inbox=${inbox}`);
    lines.push(`  ${name.padEnd(9)} ${facts.join('  ')}`);
  }
  return lines.join('\n');
}
