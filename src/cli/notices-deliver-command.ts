import type { Command } from 'commander';
import { deliverNoticesOperation } from '../control/control-operations.ts';
import { ConfigError } from '../config/load-config.ts';
import { buildMessaging } from '../runtime/build-messaging.ts';
import { chooseLinkKeySource, readLinkKey, type LinkKeySource } from '../runtime/link-signing-key.ts';
import { RecurError } from '../shared/errors.ts';
import { CliError, EX_USAGE, loadConfigOrExit } from './cli-support.ts';
import { runControlOperation } from './run-control-operation.ts';

/**
 * `recur notices deliver`: one delivery pass by hand, the same code as the minutely job. Safe
 * beside running services (rows are claimed, never sent twice): on the embedded database the
 * running service makes the pass, with its senders; prints the counts.
 */
export function registerNoticesDeliverCommand(notices: Command): void {
  notices
    .command('deliver')
    .description('send the due notices in the outbox now (as the minutely job does) and print what happened')
    .option('--max <rows>', 'handle at most this many rows', '500')
    .action(async (options: { max: string }) => {
      const maxRows = Number(options.max);
      if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > 100_000) throw new CliError(`--max: expected a whole number from 1 to 100000, got "${options.max}"`, EX_USAGE);
      const config = loadConfigOrExit();
      let linkKey: LinkKeySource;
      try {
        linkKey = chooseLinkKeySource(config);
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(`configuration error: ${error.message}`, 78);
        throw error;
      }
      try {
        const summary = await runControlOperation(
          deliverNoticesOperation,
          { max_rows: maxRows },
          { config, openLocalContext: async (base) => ({ ctx: { ...base, messaging: buildMessaging(config, readLinkKey(linkKey)) } }) },
        );
        const shown = Object.entries(summary).filter(([, count]) => count > 0);
        process.stdout.write(`${shown.length === 0 ? 'nothing was due' : shown.map(([outcome, count]) => `${outcome} ${count}`).join(', ')}\n`);
      } catch (error) {
        if (error instanceof RecurError && error.code === 'not_configured') throw new CliError(error.message, 78);
        throw error;
      }
    });
}
