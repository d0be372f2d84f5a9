import type { Command } from 'commander';
import { deliverDueNotifications } from '../notifications/deliver-due-notifications.ts';
import { buildMessaging } from '../runtime/build-messaging.ts';
import { openStore } from '../runtime/open-store.ts';
import { systemClock } from '../shared/clock.ts';
import { CliError, EX_USAGE, loadConfigOrExit } from './cli-support.ts';

/**
 * `recur notices deliver`: one delivery pass by hand, the same code as the minutely job. Safe
 * beside a running service on PostgreSQL (rows are claimed, never sent twice); prints the counts.
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
      if (!config.SENDGRID_API_KEY && !config.TWILIO_ACCOUNT_SID) throw new CliError('neither SendGrid nor Twilio is configured (SENDGRID_API_KEY, TWILIO_ACCOUNT_SID): nothing can be sent', 78);
      const store = await openStore(config, systemClock, 'notices deliver');
      try {
        const messaging = await buildMessaging(config, store.db, systemClock);
        const summary = await deliverDueNotifications({ db: store.db, clock: systemClock, config, messaging, random: Math.random }, { maxRows });
        const shown = Object.entries(summary).filter(([, count]) => count > 0);
        process.stdout.write(`${shown.length === 0 ? 'nothing was due' : shown.map(([outcome, count]) => `${outcome} ${count}`).join(', ')}\n`);
      } finally {
        await store.close();
      }
    });
}
