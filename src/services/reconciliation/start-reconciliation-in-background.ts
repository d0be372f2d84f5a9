import type { ReconciliationRun } from '../../db/repositories/reconciliation-run-repository.ts';
import { PROVIDER_KEY_SETTINGS, providerName, type ProviderId } from '../../domain/provider.ts';
import { RecurError } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { reconcileProvider } from './reconcile-provider.ts';

export type BackgroundStart = { ok: true; run: ReconciliationRun } | { ok: false; reason: 'not_configured' | 'running'; message: string };

/**
 * Starts a reconciliation run as `recur sync <provider>` does (reconcileProvider, trigger
 * `dashboard`: started by an admin there) and answers once its row is written, while the run goes on: a large shop's run
 * takes minutes at the provider's request budget, longer than a browser or a proxy waits. The run
 * records its own end (succeeded or failed, with the reason); a process that stops mid-run leaves
 * it to be closed as abandoned, as any run. `onFailure` hears a failure after the start.
 */
export function startReconciliationInBackground(ctx: ServiceContext, provider: ProviderId, actor: Actor, onFailure: (error: unknown) => void): Promise<BackgroundStart> {
  if (!ctx.payments?.get(provider)) {
    return Promise.resolve({ ok: false, reason: 'not_configured', message: `${providerName(provider)} is not configured (${PROVIDER_KEY_SETTINGS[provider]})` });
  }
  return new Promise((resolve, reject) => {
    let started = false;
    const onStarted = (run: ReconciliationRun) => {
      started = true;
      resolve({ ok: true, run });
    };
    reconcileProvider(ctx, { provider, trigger: 'dashboard', startedBy: actor, onStarted }).catch((error: unknown) => {
      if (started) return onFailure(error);
      if (error instanceof RecurError && error.code === 'conflict') return resolve({ ok: false, reason: 'running', message: error.message });
      reject(error);
    });
  });
}
