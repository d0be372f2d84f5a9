import type { Command } from 'commander';
import { listInboxEventsOperation, replayInboxEventOperation } from '../control/control-operations.ts';
import type { InboxStatus } from '../db/repositories/webhook-inbox-repository.ts';
import { RecurError } from '../shared/errors.ts';
import { CliError, EX_USAGE, loadConfigOrExit } from './cli-support.ts';
import { runControlOperation } from './run-control-operation.ts';

const STATUSES: readonly InboxStatus[] = ['received', 'processing', 'processed', 'ignored', 'failed', 'dead'];

export function registerEventsCommand(program: Command): void {
  const events = program.command('events').description('the webhook inbox: list events, replay dead or failed ones');

  events
    .command('list')
    .description('list inbox events, newest first (never their payloads)')
    .option('--status <status>', `only events in this status (${STATUSES.join(', ')})`)
    .option('--limit <n>', 'how many', '20')
    .action(async (options: { status?: string; limit: string }) => {
      if (options.status !== undefined && !STATUSES.includes(options.status as InboxStatus)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}`, EX_USAGE);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError('--limit must be a whole number from 1 to 1000', EX_USAGE);
      const events = await runControlOperation(listInboxEventsOperation, { status: options.status as InboxStatus | undefined, limit }, { config: loadConfigOrExit() });
      for (const event of events) {
        const error = event.last_error ? `  ${event.last_error.split('\n')[0]}` : '';
        console.log(`${event.id}  ${event.provider}  ${event.provider_event_id}  ${event.type}  ${event.status}  attempts ${event.attempts}${error}`);
      }
    });

  events
    .command('replay')
    .description('put a dead, failed or ignored event back in the queue (attempts reset; audit-logged)')
    .argument('<id>', "recur's inbox id or the provider's event id (evt_…)")
    .action(async (id: string) => {
      try {
        const event = await runControlOperation(replayInboxEventOperation, { id }, { config: loadConfigOrExit() });
        console.log(`event ${event.id} (${event.provider_event_id}) is queued again; a running recur processes it within a minute`);
      } catch (error) {
        if (error instanceof RecurError) throw new CliError(error.message, error.status === 404 ? 66 : 65);
        throw error;
      }
    });
}
