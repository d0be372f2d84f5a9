import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RunStatus } from '../../../db/repositories/reconciliation-run-repository.ts';
import { isProviderId, PROVIDER_IDS, providerName } from '../../../domain/provider.ts';
import { listRunsForAdmin, readRunForAdmin, RUN_STATUSES } from '../../../services/admin/read-reconciliation-for-admin.ts';
import { startReconciliationInBackground } from '../../../services/reconciliation/start-reconciliation-in-background.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import { RecurError } from '../../../shared/errors.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { adminNav } from './admin-nav.ts';
import { sendAdminMessage, sendAdminPage } from './admin-page.ts';
import { formField } from './form-field.ts';

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ITEM_ID = /^\d{1,15}$/;

const isRunStatus = (value: string): value is RunStatus => (RUN_STATUSES as readonly string[]).includes(value);

/**
 * Reconciliation runs (the scheduled job's and `recur sync`'s) with their drift reports, and a
 * form that starts a run the way `recur sync <provider>` does, in the background (ADR 0039).
 */
export function reconciliationPageRoutes(admin: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  const noSuchRun = (reply: FastifyReply, id: string) =>
    sendAdminMessage(reply, renderer, 404, { heading: 'No such run', paragraphs: [`recur holds no reconciliation run "${id}".`], action: { href: '/admin/reconciliation', label: 'Reconciliation runs' } });
  const badFilter = (reply: FastifyReply) =>
    sendAdminMessage(reply, renderer, 400, {
      heading: 'This filter cannot be used',
      paragraphs: [`Choose a provider (${PROVIDER_IDS.join(', ')}) and a status (${RUN_STATUSES.join(', ')}) from the form.`],
      action: { href: '/admin/reconciliation', label: 'Reconciliation runs' },
    });

  admin.get('/reconciliation', { schema: { hide: true } }, async (request, reply) => {
    const provider = formField(request.query, 'provider') || undefined;
    const status = formField(request.query, 'status') || undefined;
    const before = formField(request.query, 'before') || undefined;
    if ((provider && !isProviderId(provider)) || (status && !isRunStatus(status)) || (before && !RUN_ID.test(before))) return badFilter(reply);
    let page;
    try {
      page = await listRunsForAdmin(ctx, { provider: provider && isProviderId(provider) ? provider : undefined, status: status && isRunStatus(status) ? status : undefined, before });
    } catch (error) {
      if (error instanceof RecurError && error.code === 'validation_failed') return noSuchRun(reply, before ?? '');
      throw error;
    }
    const query = (extra: Record<string, string>) => new URLSearchParams({ ...(provider ? { provider } : {}), ...(status ? { status } : {}), ...extra }).toString();
    const last = page.items.at(-1);
    const configured = ctx.payments?.configured() ?? [];
    return sendAdminPage(reply, renderer, 200, 'admin/reconciliation', 'Reconciliation runs', {
      nav: adminNav(request, 'reconciliation'),
      runs: page.items,
      providers: PROVIDER_IDS,
      statuses: RUN_STATUSES,
      filter: { provider: provider ?? '', status: status ?? '' },
      startable: configured.map((id) => ({ id, name: providerName(id) })),
      olderHref: page.hasMore && last ? `/admin/reconciliation?${query({ before: last.id })}` : null,
      newestHref: before ? `/admin/reconciliation?${query({})}` : null,
    });
  });

  admin.get('/reconciliation/:id', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const before = formField(request.query, 'before') || undefined;
    if (!RUN_ID.test(id)) return noSuchRun(reply, id);
    if (before && !ITEM_ID.test(before)) return badFilter(reply);
    let report;
    try {
      report = await readRunForAdmin(ctx, id, before ? Number(before) : undefined);
    } catch (error) {
      if (error instanceof RecurError && error.code === 'validation_failed') return noSuchRun(reply, id);
      throw error;
    }
    if (!report) return noSuchRun(reply, id);
    const last = report.items.items.at(-1);
    return sendAdminPage(reply, renderer, 200, 'admin/reconciliation-run', `Reconciliation run ${report.run.id}`, {
      nav: adminNav(request, 'reconciliation'),
      ...report,
      started: formField(request.query, 'started') === '1',
      olderHref: report.items.hasMore && last ? `/admin/reconciliation/${id}?before=${last.id}` : null,
      json: (value: unknown) => JSON.stringify(value),
    });
  });

  admin.post('/reconciliation/runs', { schema: { hide: true } }, async (request, reply) => {
    const provider = formField(request.body, 'provider') ?? '';
    if (!isProviderId(provider)) return badFilter(reply);
    const outcome = await startReconciliationInBackground(ctx, provider, request.adminSession!.actor, (error) => request.log.error({ err: error, provider }, 'a reconciliation run started from the dashboard failed'));
    if (!outcome.ok) {
      return sendAdminMessage(reply, renderer, outcome.reason === 'running' ? 409 : 503, {
        heading: outcome.reason === 'running' ? 'A run is already going on' : `${providerName(provider)} is not configured`,
        paragraphs: [`${outcome.message}. No run was started.`],
        action: { href: '/admin/reconciliation', label: 'Reconciliation runs' },
      });
    }
    return reply.redirect(`/admin/reconciliation/${outcome.run.id}?started=1`, 303);
  });
}
