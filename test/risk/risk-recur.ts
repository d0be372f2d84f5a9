import type Stripe from 'stripe';
import type { DatabaseKind } from '../../src/db/database.ts';
import { buildJobCatalogue } from '../../src/jobs/job-catalogue.ts';
import { startJobEngine, type JobEngine } from '../../src/jobs/job-engine.ts';
import { PROCESS_WEBHOOK_INBOX, PROCESS_WEBHOOK_INBOX_KEY } from '../../src/jobs/process-webhook-inbox.ts';
import type { StripeGateway } from '../../src/providers/payments/stripe/stripe-gateway.ts';
import { APPLY_DISPUTE_POLICY, REVIEW_DECLINED_CHARGES } from '../../src/services/risk/risk-jobs.ts';
import type { ServiceSettings } from '../../src/services/service-context.ts';
import { createProviderEventProcessor } from '../../src/services/sync/create-provider-event-processor.ts';
import { stripeEventDialect } from '../../src/providers/payments/stripe/events/stripe-event-dialect.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startRunningRecur, waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';
import { stripeGatewayOf, withStripeGateway } from '../support/payment-providers.ts';
import { entitlementPolicyOf } from '../../src/services/entitlement/entitlement-policy.ts';

export const ADMINS = ['ops@shop.example', 'fraud@shop.example'];
/** Every webhook delivered twice by the sandbox. */
export const DUPLICATES = { webhooks: [{ provider: 'stripe', duplicateRate: 1 }] };

export type GatewayCalls = { cancelSubscriptionNow: string[]; closeDispute: string[]; refundCharge: string[] };

export type RiskRecur = RunningRecur & {
  /** The risk calls recur's jobs made at Stripe, with their idempotency keys. */
  calls: GatewayCalls;
  /** The job engine as startService wires it: `ctx.jobs` set once it runs. */
  startRiskWorker(): Promise<void>;
  /** Webhooks delivered and processed, and no fraud or dispute job left to run; repeated until nothing moves. */
  settle(): Promise<void>;
  /** Applies a stored event again through the processor, past the inbox's dedupe (a replay). */
  reapply(providerEventId: string): Promise<void>;
};

/**
 * recur with the sandbox (running-recur.ts), plus what the risk policies need: the processor with
 * the job queue (as startService passes `() => ctx.jobs`), the settings under test, admins to
 * alert, and a count of the changing calls the jobs make at Stripe.
 */
export async function startRiskRecur(kind: DatabaseKind, settings: Partial<ServiceSettings>): Promise<RiskRecur> {
  const recur = await startRunningRecur(kind, DUPLICATES);
  const { t } = recur;
  const engines: JobEngine[] = [];
  t.ctx.config = { ...t.ctx.config, ADMIN_EMAILS: ADMINS, ...settings };
  const gateway = stripeGatewayOf(t.ctx);
  const calls: GatewayCalls = { cancelSubscriptionNow: [], closeDispute: [], refundCharge: [] };
  const counted: StripeGateway = {
    ...gateway,
    cancelSubscriptionNow: (id, key) => (calls.cancelSubscriptionNow.push(key), gateway.cancelSubscriptionNow(id, key)),
    closeDispute: (id, key) => (calls.closeDispute.push(key), gateway.closeDispute(id, key)),
    refundCharge: (id, key) => (calls.refundCharge.push(key), gateway.refundCharge(id, key)),
  };
  t.ctx.payments = withStripeGateway(t.ctx, counted);
  const processor = createProviderEventProcessor({ dialect: stripeEventDialect, gateway, db: t.ctx.db, clock: t.ctx.clock, plans: t.ctx.config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(t.ctx.config), defaultLocale: t.ctx.config.DEFAULT_LOCALE, jobs: () => t.ctx.jobs });
  t.ctx.webhooks.processors.stripe = processor;

  const openJobs = async () => {
    const result = await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name IN ($1, $2) AND state IN ('created', 'retry', 'active')", [
      REVIEW_DECLINED_CHARGES,
      APPLY_DISPUTE_POLICY,
    ]);
    return result.rows[0]!.n;
  };

  return {
    ...recur,
    calls,
    async startRiskWorker() {
      const engine = await startJobEngine({ db: t.ctx.db, jobs: buildJobCatalogue(t.ctx), logger: createLogger('silent'), pollIntervalSeconds: 0.5 });
      engines.push(engine);
      t.ctx.jobs = engine;
      t.ctx.webhooks.wakeWorker = async () => {
        await engine.enqueue(PROCESS_WEBHOOK_INBOX, {}, { singletonKey: PROCESS_WEBHOOK_INBOX_KEY });
      };
      await t.ctx.webhooks.wakeWorker();
    },
    async settle() {
      const deadline = Date.now() + 60_000;
      for (;;) {
        await waitUntilSettled(recur);
        if ((await openJobs()) === 0) {
          // A job's Stripe call raises events (subscription deleted, dispute closed): settle those too.
          await waitUntilSettled(recur);
          if ((await openJobs()) === 0) return;
        }
        if (Date.now() > deadline) throw new Error('risk jobs did not finish within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async reapply(providerEventId) {
      const row = await t.ctx.db.query<{ id: string; payload: Stripe.Event; type: string }>('SELECT id, payload, type FROM webhook_inbox WHERE provider_event_id = $1', [providerEventId]);
      const { id, payload, type } = row.rows[0]!;
      const prepared = await processor({ id: Number(id), provider: 'stripe', providerEventId, type, payload, attempt: 2, receivedAt: t.ctx.clock.now() });
      await t.ctx.db.transaction((tx) => prepared.apply(tx));
    },
    async close() {
      for (const engine of engines.splice(0)) await engine.stop();
      await recur.close();
    },
  };
}

/**
 * Moves the sandbox clock (and so recur's) on. The sandbox's clock stands still otherwise, and a
 * subscription canceled in the second it was created carries the same version as its creation,
 * which the version guard rightly keeps out; a real fraud or dispute comes later than that.
 */
export async function advanceSeconds(recur: RunningRecur, seconds: number): Promise<void> {
  const response = await fetch(`${recur.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
  if (!response.ok) throw new Error(`advance failed: ${response.status}`);
}

export async function count(recur: RunningRecur, sql: string, params: unknown[] = []): Promise<number> {
  return (await recur.t.ctx.db.query<{ n: number }>(sql, params)).rows[0]!.n;
}

/** Audit actions about one entity, in order. */
export async function auditActions(recur: RunningRecur, entity: string, entityId: string): Promise<string[]> {
  const result = await recur.t.ctx.db.query<{ action: string }>('SELECT action FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id', [entity, entityId]);
  return result.rows.map((row) => row.action);
}

/** What a repeated delivery or job must leave unchanged. */
export async function riskFootprint(recur: RunningRecur): Promise<Record<string, unknown>> {
  return {
    riskActions: (await recur.t.ctx.db.query('SELECT step_key, action FROM risk_actions ORDER BY step_key')).rows,
    outbox: (await recur.t.ctx.db.query("SELECT business_key, template, recipient FROM notification_outbox WHERE template LIKE 'admin-%' ORDER BY business_key")).rows,
    audit: await count(recur, 'SELECT count(*)::int AS n FROM audit_log'),
    disputes: (await recur.t.ctx.db.query('SELECT provider_dispute_id, status, policy, outcome FROM disputes ORDER BY provider_dispute_id')).rows,
    customers: (await recur.t.ctx.db.query('SELECT external_id, banned, banned_reason, disputed_at FROM customers ORDER BY external_id')).rows,
  };
}
