import { z } from 'zod';
import type { Config } from '../config/load-config.ts';
import { PROVIDERS_WITH_ADAPTERS, type ProviderId } from '../domain/provider.ts';
import { listApiKeys } from '../db/repositories/api-key-repository.ts';
import { listInboxEvents } from '../db/repositories/webhook-inbox-repository.ts';
import { apiKeyName, apiKeyScope, presentApiKey } from '../http/routes/api-key-routes.ts';
import { presentWebhookEvent } from '../http/routes/webhook-admin-routes.ts';
import { deliverDueNotifications } from '../notifications/deliver-due-notifications.ts';
import { createAdminUser } from '../services/admin/create-admin-user.ts';
import { createApiKey } from '../services/api-keys/create-api-key.ts';
import { revokeApiKey } from '../services/api-keys/revoke-api-key.ts';
import { reconcileProvider } from '../services/reconciliation/reconcile-provider.ts';
import type { ReconcileProgress } from '../services/reconciliation/run-scope.ts';
import { RecurError } from '../shared/errors.ts';
import { replayInboxEvent } from '../webhooks/replay-inbox-event.ts';
import { defineControlOperation, type ControlOperation } from './control-operation.ts';
import { listListenDeliveriesOperation, registerListenEndpointOperation, removeListenEndpointOperation } from './webhook-listen-operations.ts';

// `migrate` is not here: a running service has migrated already, and an upgrade's migrations must
// come from the new code, not from the service still running the old one. `plans list`,
// `plans sync` and the `notices` previews do not open the database.

const INBOX_STATUSES = ['received', 'processing', 'processed', 'ignored', 'failed', 'dead'] as const;
/** The CLI acts as `cli` in the audit log, whichever process does the work. */
const CLI_ACTOR = 'cli';

export const createApiKeyOperation = defineControlOperation({
  name: 'keys create',
  input: z.object({ name: apiKeyName, scope: apiKeyScope }).strict(),
  async run(ctx, { name, scope }) {
    const { key, record } = await createApiKey(ctx, name, CLI_ACTOR, scope);
    return { ...presentApiKey(record), key };
  },
});

export const listApiKeysOperation = defineControlOperation({
  name: 'keys list',
  input: z.object({}).strict(),
  run: async (ctx) => (await listApiKeys(ctx.db)).map(presentApiKey),
});

export const revokeApiKeyOperation = defineControlOperation({
  name: 'keys revoke',
  input: z.object({ id: z.string() }).strict(),
  run: async (ctx, { id }) => presentApiKey(await revokeApiKey(ctx, id, CLI_ACTOR)),
});

export const createAdminUserOperation = defineControlOperation({
  name: 'admin create-user',
  input: z.object({ username: z.string().max(200), password: z.string().max(4096) }).strict(),
  async run(ctx, input) {
    const user = await createAdminUser(ctx, input, CLI_ACTOR);
    return { id: user.id, username: user.username, created_at: user.createdAt.toISOString() };
  },
});

export const listInboxEventsOperation = defineControlOperation({
  name: 'events list',
  input: z.object({ status: z.enum(INBOX_STATUSES).optional(), limit: z.number().int().min(1).max(1000) }).strict(),
  async run(ctx, { status, limit }) {
    const page = await listInboxEvents(ctx.db, { status, limit });
    return page.items.map(presentWebhookEvent);
  },
});

export const replayInboxEventOperation = defineControlOperation({
  name: 'events replay',
  input: z.object({ id: z.string() }).strict(),
  async run(ctx, { id }) {
    const event = await replayInboxEvent(ctx, id, CLI_ACTOR);
    return { id: event.id, provider_event_id: event.providerEventId };
  },
});

export const deliverNoticesOperation = defineControlOperation({
  name: 'notices deliver',
  input: z.object({ max_rows: z.number().int().min(1).max(100_000) }).strict(),
  unavailable: (settings) =>
    settings.SENDGRID_API_KEY || settings.TWILIO_ACCOUNT_SID ? null : 'neither SendGrid nor Twilio is configured (SENDGRID_API_KEY, TWILIO_ACCOUNT_SID): nothing can be sent',
  async run(ctx, { max_rows }) {
    if (!ctx.messaging) throw new RecurError('not_configured', 'this process has no senders for notices');
    return deliverDueNotifications({ ...ctx, messaging: ctx.messaging, random: Math.random }, { maxRows: max_rows });
  },
});

/** Why `recur sync <provider>` cannot run with these settings; null when the provider is configured. */
const SYNC_UNAVAILABLE: Record<ProviderId, (settings: Config) => string | null> = {
  stripe: (settings) => (settings.STRIPE_SECRET_KEY ? null : 'STRIPE_SECRET_KEY is not set (and STRIPE_API_BASE for the sandbox)'),
  paypal: (settings) =>
    settings.PAYPAL_CLIENT_ID && settings.PAYPAL_CLIENT_SECRET && settings.PAYPAL_WEBHOOK_ID ? null : 'PayPal is not configured (PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID)',
};

/** `recur sync <provider>`, one operation per provider with an adapter (`sync stripe`, ...). */
export const syncProviderOperation = (provider: ProviderId) =>
  defineControlOperation<z.ZodObject<Record<string, never>>, { id: string; status: string; requests: number; counts: Record<string, number | undefined> }, ReconcileProgress>({
    name: `sync ${provider}`,
    input: z.object({}).strict(),
    unavailable: (settings) => SYNC_UNAVAILABLE[provider](settings),
    async run(ctx, _input, report) {
      const run = await reconcileProvider(ctx, { provider, trigger: 'cli', onProgress: report });
      return { id: run.id, status: run.status, requests: run.requests, counts: run.counts };
    },
  });

/** Everything the control socket serves. */
export const controlOperations: readonly ControlOperation[] = [
  createApiKeyOperation,
  listApiKeysOperation,
  revokeApiKeyOperation,
  createAdminUserOperation,
  listInboxEventsOperation,
  replayInboxEventOperation,
  deliverNoticesOperation,
  registerListenEndpointOperation,
  listListenDeliveriesOperation,
  removeListenEndpointOperation,
  ...PROVIDERS_WITH_ADAPTERS.map(syncProviderOperation),
] as readonly ControlOperation[];
