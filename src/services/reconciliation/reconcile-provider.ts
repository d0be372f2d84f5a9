import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import {
  finishReconciliationRun,
  insertReconciliationItems,
  startReconciliationRun,
  findRunningReconciliation,
  type ReconciliationItemKind,
  type ReconciliationRun,
  type RunTrigger,
} from '../../db/repositories/reconciliation-run-repository.ts';
import { PROVIDER_KEY_SETTINGS, PROVIDER_RATE_SETTINGS, providerName, type ProviderId } from '../../domain/provider.ts';
import { RecurError } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { alertReconciliationDrift } from './alert-reconciliation-drift.ts';
import { flagLiveSubscriptionsAcrossProviders } from './flag-live-subscriptions-across-providers.ts';
import { limitGateway } from './rate-limited-gateway.ts';
import { reconcileSubscriptions } from './reconcile-subscriptions.ts';
import { readEventsBeforeThePass, recoverMissedEvents } from './recover-missed-events.ts';
import { createRequestRateLimiter, type RateTimer } from './request-rate-limiter.ts';
import type { ReconcileProgress, RunScope } from './run-scope.ts';

/** A run still `running` after this long belongs to a process that died; the next run closes it. */
const ABANDON_AFTER_MS = 6 * 60 * 60 * 1000;

export type ReconcileOptions = {
  provider: ProviderId;
  trigger: RunTrigger;
  onProgress?: (progress: ReconcileProgress) => void;
  /** Who started the run by hand, for the audit log (the dashboard's `admin:{username}`). */
  startedBy?: Actor;
  /** Called once the run's row is written (the dashboard answers then and lets the run go on). */
  onStarted?: (run: ReconciliationRun) => void;
  /** Only tests replace it (to count requests per second without waiting). */
  rateTimer?: RateTimer;
};

/**
 * One reconciliation run against a provider (Stripe's reads described here): the newest page of events (so the run knows which events
 * existed before it read anything else), subscriptions with their expanded customers (repair
 * recur from Stripe, Stripe's e-mail from recur, flag several live ones), then the rest of the
 * events list (recover what the webhooks missed). Subscriptions go before the events are stored
 * so the report names the drift the run found, not what the recovered events would have fixed
 * afterwards, and so a recovered event about a subscription the run has just recorded from a
 * later read is stored as done rather than applied again. Every request waits for the run's
 * budget of the provider's MAX_REQUESTS_PER_SECOND setting; a full run costs its list pages plus one request per
 * drifted object. A failure closes the run as failed (what was repaired stays repaired) and is thrown.
 */
export async function reconcileProvider(ctx: ServiceContext, options: ReconcileOptions): Promise<ReconciliationRun> {
  const provider = ctx.payments?.get(options.provider);
  if (!provider) throw new RecurError('not_configured', `${providerName(options.provider)} is not configured (${PROVIDER_KEY_SETTINGS[options.provider]})`);
  const startedAt = ctx.clock.now();
  const run = await ctx.db.transaction(async (tx) => {
    const opened = await startReconciliationRun(tx, { provider: provider.id, trigger: options.trigger, now: startedAt, abandonAfterMs: ABANDON_AFTER_MS });
    if (opened && options.startedBy) {
      await recordAudit(tx, { at: startedAt, actor: options.startedBy, entity: 'reconciliation_run', entityId: opened.id, action: 'start', before: null, after: { provider: opened.provider, trigger: opened.trigger } });
    }
    return opened;
  });
  if (!run) {
    const running = await findRunningReconciliation(ctx.db, provider.id);
    throw new RecurError('conflict', `a ${provider.name} reconciliation run is already running${running ? ` (${running.id}, started ${running.startedAt.toISOString()})` : ''}`);
  }

  options.onStarted?.(run);

  const limiter = createRequestRateLimiter(ctx.config[PROVIDER_RATE_SETTINGS[provider.id]], options.rateTimer);
  const scope: RunScope = {
    ctx,
    provider,
    gateway: limitGateway(provider.gateway, limiter),
    runId: run.id,
    actor: `reconcile:${run.id}`,
    startedAt,
    record: (tx, item) => insertReconciliationItems(tx, run.id, [item], ctx.clock.now()),
    recordMany: (tx, items) => insertReconciliationItems(tx, run.id, items, ctx.clock.now()),
    progress: options.onProgress ?? (() => {}),
  };

  try {
    // A provider without an events list (PayPal) is reconciled from its subscriptions alone: what a
    // lost webhook would have said, the subscription's current state says too.
    const eventsBefore = provider.capabilities.listEvents ? await readEventsBeforeThePass(scope) : null;
    const upToDate = await reconcileSubscriptions(scope);
    await flagLiveSubscriptionsAcrossProviders(scope);
    if (eventsBefore) await recoverMissedEvents(scope, eventsBefore, upToDate);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await finishReconciliationRun(ctx.db, run.id, { status: 'failed', counts: await countItems(ctx, run.id), requests: limiter.taken, error: message.split('\n')[0]!, now: ctx.clock.now() });
    throw error;
  }
  const finished = await finishReconciliationRun(ctx.db, run.id, { status: 'succeeded', counts: await countItems(ctx, run.id), requests: limiter.taken, error: null, now: ctx.clock.now() });
  await alertReconciliationDrift(ctx, finished);
  return finished;
}

/** From the stored items, so the counts never disagree with the report (a rolled-back item is not counted). */
async function countItems(ctx: ServiceContext, runId: string): Promise<Partial<Record<ReconciliationItemKind, number>>> {
  const result = await ctx.db.query<{ kind: ReconciliationItemKind; n: number }>('SELECT kind, count(*)::int AS n FROM reconciliation_items WHERE run_id = $1 GROUP BY kind ORDER BY kind', [runId]);
  return Object.fromEntries(result.rows.map((row) => [row.kind, row.n]));
}
