import type { Command } from 'commander';
import { chooseLinkKeySource, readLinkKey } from '../runtime/link-signing-key.ts';
import { allowsPrivateWebhookTargets, buildOutgoingWebhooks } from '../runtime/build-outgoing-webhooks.ts';
import { listListenDeliveriesOperation, registerListenEndpointOperation, removeListenEndpointOperation } from '../control/webhook-listen-operations.ts';
import { isOutgoingEventType } from '../domain/outgoing-event-type.ts';
import type { Config } from '../config/load-config.ts';
import { databaseTarget } from '../db/open-database.ts';
import { RecurError } from '../shared/errors.ts';
import { CliError, EX_USAGE, loadConfigOrExit } from './cli-support.ts';
import { runControlOperation, type RunOptions } from './run-control-operation.ts';

/** How often the delivery log is read while listening (wall time: this is the terminal's pace). */
const POLL_MS = 1000;

type Delivery = Awaited<ReturnType<typeof listListenDeliveriesOperation.run>>[number];

export function registerWebhooksCommand(program: Command): void {
  const webhooks = program.command('webhooks').description("the shop's webhook endpoints, for development");

  webhooks
    .command('listen')
    .description('forward the events a running recur delivers to a local URL, like `stripe listen`: a temporary endpoint, removed on Ctrl-C')
    // Checked in the action, so a wrong option or argument is reported first, as by every command.
    .option('--forward-to <url>', 'where to deliver (required), e.g. http://localhost:4000/hooks')
    .option('--events <types>', 'comma-separated event types, or * for all', '*')
    .action(async (options: { forwardTo?: string; events: string }) => {
      if (options.forwardTo === undefined) throw new CliError('missing --forward-to <url>: where to deliver, e.g. http://localhost:4000/hooks', EX_USAGE);
      const forwardTo = options.forwardTo.trim();
      if (!URL.canParse(forwardTo) || !/^https?:$/.test(new URL(forwardTo).protocol)) throw new CliError('--forward-to must be an http(s) URL such as http://localhost:4000/hooks', EX_USAGE);
      const eventTypes = options.events.split(',').map((type) => type.trim()).filter(Boolean);
      const unknown = eventTypes.filter((type) => type !== '*' && !isOutgoingEventType(type));
      if (eventTypes.length === 0 || unknown.length > 0) throw new CliError(`--events: unknown event type ${unknown.join(', ') || '(none given)'}`, EX_USAGE);
      const config = loadConfigOrExit();
      const run = runOptions(config);
      const endpoint = await runControlOperation(registerListenEndpointOperation, { forward_to: forwardTo, event_types: eventTypes as ['*'] }, run).catch(rethrowAsCliError);
      console.log(`Ready: forwarding to ${forwardTo} (endpoint ${endpoint.id}). Signing secret: ${endpoint.secret}  (Ctrl-C to stop)`);
      await printDeliveriesUntilStopped(endpoint.id, run);
      await runControlOperation(removeListenEndpointOperation, { endpoint_id: endpoint.id }, runOptions(config, true));
      console.log(`Stopped: endpoint ${endpoint.id} removed`);
    });
}

/**
 * On PostgreSQL the CLI works on the database itself beside the services that deliver, sealing the
 * secret with the same link-signing key. On the embedded database, with no service answering on
 * its socket, nothing would deliver: refused (`allowAlone` for the clean-up after a service stopped).
 */
function runOptions(config: Config, allowAlone = false): RunOptions<never> {
  return {
    config,
    openLocalContext: async (base) => {
      if (!allowAlone && databaseTarget(config).kind === 'pglite') throw new RecurError('not_configured', 'webhooks listen forwards what a running recur delivers: start it first (recur start)');
      return { ctx: { ...base, outgoingWebhooks: buildOutgoingWebhooks(config, readLinkKey(chooseLinkKeySource(config)), allowsPrivateWebhookTargets(config)) } };
    },
  };
}

async function printDeliveriesUntilStopped(endpointId: string, run: RunOptions<never>): Promise<void> {
  let stopped = false;
  let wakeUp: () => void = () => {};
  const stop = () => {
    stopped = true;
    wakeUp();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const printed = new Map<string, number>();
  try {
    while (!stopped) {
      const deliveries = await runControlOperation(listListenDeliveriesOperation, { endpoint_id: endpointId }, run);
      for (const delivery of [...deliveries].reverse()) printNewAttempts(delivery, printed);
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        setTimeout(resolve, POLL_MS);
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** One line per attempt not printed yet: when, what, the event id, and how the local server answered. */
function printNewAttempts(delivery: Delivery, printed: Map<string, number>): void {
  const seen = printed.get(delivery.id) ?? 0;
  for (const attempt of delivery.attempt_log.slice(seen)) {
    const answer = attempt.status_code === null ? `error: ${attempt.error}` : `${attempt.status_code}`;
    console.log(`${attempt.attempted_at}  ${delivery.event_type}  ${delivery.event_id}  --> ${answer}  [${delivery.status}]`);
  }
  printed.set(delivery.id, delivery.attempt_log.length);
}

function rethrowAsCliError(error: unknown): never {
  if (error instanceof RecurError) throw new CliError(`${error.code}: ${error.message}`, error.status === 503 ? 69 : 65);
  throw error;
}
