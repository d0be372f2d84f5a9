import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { Config } from '../config/load-config.ts';
import { syncProviderOperation } from '../control/control-operations.ts';
import { hasAdapter, isProviderId, PROVIDER_IDS, providerName, type ProviderId } from '../domain/provider.ts';
import { buildPaymentProviders, buildWebhookVerifiers } from '../runtime/build-payment-providers.ts';
import { buildJobCatalogue } from '../jobs/job-catalogue.ts';
import { startJobEngine } from '../jobs/job-engine.ts';
import type { ReconcileProgress } from '../services/reconciliation/run-scope.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { systemClock } from '../shared/clock.ts';
import { RecurError } from '../shared/errors.ts';
import { createLogger } from '../shared/logger.ts';
import { buildWebhookContext } from '../webhooks/build-webhook-context.ts';
import { drainInbox } from '../webhooks/drain-inbox.ts';
import { CliError, EX_USAGE, loadConfigOrExit } from './cli-support.ts';
import { runControlOperation, type LocalContext } from './run-control-operation.ts';

const PHASE_NAMES = { subscriptions: 'subscriptions', customers: 'customers    ', events: 'events       ' } as const;

export function registerSyncCommand(program: Command): void {
  program
    .command('sync')
    .argument('<provider>', `the payment provider: ${PROVIDER_IDS.join(', ')}`)
    .description(
      "compare recur with a provider and repair the drift: list its subscriptions (with their customers) and events; repair recur from the provider, set the provider's e-mails to recur's, recover missed events, alert on several live subscriptions; print the drift report",
    )
    .action(async (name: string) => {
      const provider = requireSyncableProvider(name);
      const config = loadConfigOrExit();
      const progress = createProgressOutput(process.stderr);
      try {
        // Beside a running `recur start` on the embedded database, that service runs it (with its provider settings).
        const run = await runControlOperation(syncProviderOperation(provider), {}, { config, onProgress: progress.update, openLocalContext: (base) => openSyncContext(config, base) });
        progress.stop();
        process.stdout.write(summarize(run, providerName(provider)));
      } catch (error) {
        progress.stop();
        if (error instanceof RecurError && error.code === 'not_configured') throw new CliError(error.message, 78);
        if (error instanceof RecurError) throw new CliError(`reconciliation failed: ${error.message}`, exitCodeFor(error));
        throw error;
      }
    });
}

/** 64 for a name recur does not know; 78 for a provider it knows but cannot reconcile (no adapter yet). */
function requireSyncableProvider(name: string): ProviderId {
  if (!isProviderId(name)) throw new CliError(`unknown provider "${name}" (known: ${PROVIDER_IDS.join(', ')})`, EX_USAGE);
  if (!hasAdapter(name)) throw new CliError(`${providerName(name)} is not configured: recur has no ${providerName(name)} integration yet`, 78);
  return name;
}

/** The providers, and a job engine that only enqueues: a fraud review or dispute policy decided by a recovered event runs in the service's worker. */
async function openSyncContext(config: Config, base: ServiceContext): Promise<LocalContext> {
  const jobs = await startJobEngine({ db: base.db, jobs: buildJobCatalogue(base), logger: createLogger('silent'), pollIntervalSeconds: 1, work: false });
  const providers = buildPaymentProviders(config, base.db, systemClock, () => jobs);
  const webhooks = buildWebhookContext(config, { verifiers: buildWebhookVerifiers(config, systemClock), processors: providers.processors });
  // No job engine works in this process (on the embedded database none can run beside it):
  // recovered events are processed here, with the worker's own code, before the command ends.
  webhooks.wakeWorker = async () => {
    await drainInbox({ db: base.db, clock: systemClock, webhooks, locale: config.DEFAULT_LOCALE });
  };
  return { ctx: { ...base, webhooks, jobs, payments: providers.payments }, close: () => jobs.stop() };
}

/** 75: try again later (another run is going); 78: configuration; 69: the provider is unavailable. */
function exitCodeFor(error: RecurError): number {
  if (error.code === 'conflict') return 75;
  if (error.code === 'not_configured') return 78;
  return 69;
}

function summarize(run: { id: string; status: string; requests: number; counts: Record<string, number | undefined> }, name: string): string {
  const kinds = Object.entries(run.counts).filter(([, n]) => (n ?? 0) > 0);
  const lines = [`reconciliation run ${run.id} ${run.status}: ${run.requests} requests to ${name}`];
  lines.push(...(kinds.length > 0 ? kinds.map(([kind, n]) => `  ${kind} ${n}`) : [`  no drift: recur and ${name} agree`]));
  lines.push(`drift report: GET /v1/reconciliation/runs/${run.id}`);
  return `${lines.join('\n')}\n`;
}

type ProgressOutput = { update(progress: ReconcileProgress): void; stop(): void };

/**
 * A bar per phase on a terminal; plain lines otherwise (a log, a pipe), one per phase and every
 * tenth page. A provider's lists carry no totals, so the bar's end moves ahead while pages remain.
 */
function createProgressOutput(stream: NodeJS.WriteStream): ProgressOutput {
  if (!stream.isTTY) {
    return {
      update({ phase, pages, objects, done }) {
        if (done || pages % 10 === 0) stream.write(`${phase}: ${pages} page${pages === 1 ? '' : 's'}, ${objects} objects${done ? ', done' : ''}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({ format: '{phase} |{bar}| {value} objects, {pages} pages', stream, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  let current: string | null = null;
  return {
    update({ phase, pages, objects, done }) {
      const total = done ? objects : objects + 100;
      if (current !== phase) {
        if (current) bar.stop();
        current = phase;
        bar.start(total, objects, { phase: PHASE_NAMES[phase], pages });
        return;
      }
      bar.setTotal(total);
      bar.update(objects, { pages });
    },
    stop() {
      if (current) bar.stop();
      current = null;
    },
  };
}
