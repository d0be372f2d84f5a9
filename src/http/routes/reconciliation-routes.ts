import type { FastifyInstance } from 'fastify';
import { PROVIDER_IDS } from '../../domain/provider.ts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RECONCILIATION_ITEM_KINDS, type ReconciliationItem, type ReconciliationRun } from '../../db/repositories/reconciliation-run-repository.ts';
import { getRunReport, listRunItems, listRuns } from '../../services/reconciliation/read-reconciliation-runs.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { errorJson } from '../presenters.ts';
import { documented } from '../api-examples.ts';
import { listJson, listQuery, onePage, presentPage, toPageRequest } from '../list-page.ts';

const timestamp = z.iso.datetime();
const RUN_STATUSES = ['running', 'succeeded', 'failed', 'abandoned'] as const;

const runJson = z.object({
  id: z.uuid(),
  provider: z.enum(PROVIDER_IDS),
  trigger: z.enum(['schedule', 'cli', 'dashboard']).describe('`schedule`: the reconcile job; `cli`: `recur sync`; `dashboard`: an admin on the dashboard'),
  status: z.enum(RUN_STATUSES),
  counts: z.partialRecord(z.enum(RECONCILIATION_ITEM_KINDS), z.number().int()).describe('items found, per kind'),
  requests: z.number().int().describe('requests sent to the provider'),
  error: z.string().nullable(),
  started_at: timestamp,
  finished_at: timestamp.nullable(),
});

const itemJson = z.object({
  id: z.number().int(),
  kind: z.enum(RECONCILIATION_ITEM_KINDS),
  provider_object_id: z.string(),
  recur_id: z.string().nullable(),
  found: z.unknown().describe("what was found: recur's and the provider's values"),
  action: z.string().describe('what the run did about it'),
  created_at: timestamp,
});

const runExample: z.output<typeof runJson> = {
  id: '7e3f1a2b-9c8d-4e5f-a6b7-c8d9e0f1a2b3',
  provider: 'stripe',
  trigger: 'schedule',
  status: 'succeeded',
  counts: { stale_status: 1 },
  requests: 14,
  error: null,
  started_at: '2026-04-01T08:00:00.000Z',
  finished_at: '2026-04-01T08:00:03.000Z',
};

const itemExample: z.output<typeof itemJson> = {
  id: 31,
  kind: 'stale_status',
  provider_object_id: 'sub_1QdXyZ2eZvKYlo2C8h5N3kPq',
  recur_id: '5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5',
  found: { recur: { status: 'trialing' }, provider: { status: 'active' } },
  action: 'repaired: status trialing -> active',
  created_at: '2026-04-01T08:00:02.000Z',
};
const presentRun = (run: ReconciliationRun): z.infer<typeof runJson> => ({
  id: run.id,
  provider: run.provider,
  trigger: run.trigger,
  status: run.status,
  counts: run.counts,
  requests: run.requests,
  error: run.error,
  started_at: run.startedAt.toISOString(),
  finished_at: run.finishedAt?.toISOString() ?? null,
});

const presentItem = (item: ReconciliationItem): z.infer<typeof itemJson> => ({
  id: item.id,
  kind: item.kind,
  provider_object_id: item.providerObjectId,
  recur_id: item.recurId,
  found: item.found,
  action: item.action,
  created_at: item.createdAt.toISOString(),
});

const runListQuery = listQuery(z.uuid(), { provider: z.enum(PROVIDER_IDS).optional(), status: z.enum(RUN_STATUSES).optional() });
const itemCursor = z.coerce.number().int().positive();
const itemListQuery = listQuery(itemCursor, { kind: z.enum(RECONCILIATION_ITEM_KINDS).optional() });
const runIdParam = z.object({ id: z.uuid() });

/** The drift reports of reconciliation runs (`recur sync stripe` and the scheduled job). */
export function reconciliationRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/reconciliation/runs',
    {
      schema: {
        tags: ['reconciliation'],
        summary: 'List reconciliation runs, newest first, with their counts per kind (created: when the run started)',
        querystring: runListQuery,
        response: { 200: documented(listJson(runJson, z.uuid()), 'Reconciliation runs, newest first', onePage(runExample)), 400: errorJson, 401: errorJson },
      },
    },
    async (request) => {
      const { provider, status } = request.query;
      return presentPage(await listRuns(ctx, { ...toPageRequest(request.query), provider, status }), presentRun);
    },
  );

  api.get(
    '/reconciliation/runs/:id',
    {
      schema: {
        tags: ['reconciliation'],
        summary: 'One reconciliation run with its drift report: every item found and what was done about it',
        params: runIdParam,
        response: { 200: documented(runJson.extend({ items: z.array(itemJson) }), 'The run and what it found, item by item', { ...runExample, items: [itemExample] }), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => {
      const { run, items } = await getRunReport(ctx, request.params.id);
      return { ...presentRun(run), items: items.map(presentItem) };
    },
  );

  api.get(
    '/reconciliation/runs/:id/items',
    {
      schema: {
        tags: ['reconciliation'],
        summary: "A run's drift report a page at a time, newest first, by kind",
        params: runIdParam,
        querystring: itemListQuery,
        response: { 200: documented(listJson(itemJson, z.number().int()), "The run's items, newest first", onePage(itemExample)), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => {
      const page = await listRunItems(ctx, { ...toPageRequest(request.query), runId: request.params.id, kind: request.query.kind });
      return presentPage(page, presentItem);
    },
  );
}
