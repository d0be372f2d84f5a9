import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cancelSubscription } from '../../services/subscription-changes/cancel-subscription.ts';
import { previewPlanSwitch } from '../../services/subscription-changes/preview-plan-switch.ts';
import { resumeSubscription } from '../../services/subscription-changes/resume-subscription.ts';
import { switchPlan } from '../../services/subscription-changes/switch-plan.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { errorJson, presentSubscription, subscriptionJson } from '../presenters.ts';
import { documented, subscriptionExample, withExample } from '../api-examples.ts';

const idParam = z.object({ id: z.uuid() });
const plan = z.string().min(1).max(40);
const money = z.object({ amount_minor: z.number().int(), currency: z.string() });
const errors = { 400: errorJson, 401: errorJson, 404: errorJson, 409: errorJson, 502: errorJson, 503: errorJson };

const previewJson = z.object({
  subscription: z.uuid(),
  from_plan: z.string(),
  to_plan: z.string(),
  amount_due: money.describe('charged by the switch (zero while a trial continues)'),
  proration_date: z.iso.datetime().describe('send it with the switch to be charged exactly amount_due'),
  lines: z.array(z.object({ description: z.string(), amount_minor: z.number().int(), proration: z.boolean(), period_start: z.iso.datetime(), period_end: z.iso.datetime() })),
  next_renewal: z
    .object({ at: z.iso.datetime(), amount_minor: z.number().int(), currency: z.string() })
    .nullable()
    .describe('when it renews next and what that renewal charges (a trial continues: its end, at the new plan); null when it is set to end instead'),
  ends_at: z.iso.datetime().nullable().describe('set to cancel at period end: when it ends after the switch'),
  credit_carried_forward: money.describe("what the customer's credit balance holds after the switch, for later invoices"),
});

const switchedJson = z.object({
  subscription: subscriptionJson,
  invoice: z.object({ id: z.string(), amount_due: money, amount_paid: money, status: z.string() }).nullable().describe("Stripe's invoice of the switch, when it made one"),
});

const previewExample: z.output<typeof previewJson> = {
  subscription: subscriptionExample.id,
  from_plan: 'monthly',
  to_plan: 'yearly',
  amount_due: { amount_minor: 28491, currency: 'EUR' },
  proration_date: '2026-04-15T12:00:00.000Z',
  lines: [
    { description: 'Unused time on Maandelijks after 2026-04-15', amount_minor: -1499, proration: true, period_start: '2026-04-15T12:00:00.000Z', period_end: '2026-04-30T10:00:00.000Z' },
    { description: 'Jaarlijks (2026-04-15 – 2027-04-15)', amount_minor: 29990, proration: true, period_start: '2026-04-15T12:00:00.000Z', period_end: '2027-04-15T12:00:00.000Z' },
  ],
  next_renewal: { at: '2027-04-15T12:00:00.000Z', amount_minor: 29990, currency: 'EUR' },
  ends_at: null,
  credit_carried_forward: { amount_minor: 0, currency: 'EUR' },
};

const switchedExample: z.output<typeof switchedJson> = {
  subscription: { ...subscriptionExample, plan: 'yearly', status: 'active', provider_status: 'active', trial_end: null, current_period_start: '2026-04-15T12:00:00.000Z', current_period_end: '2027-04-15T12:00:00.000Z' },
  invoice: { id: 'in_1QeA7k2eZvKYlo2CpX3bV9sD', amount_due: { amount_minor: 28491, currency: 'EUR' }, amount_paid: { amount_minor: 28491, currency: 'EUR' }, status: 'paid' },
};

/** Switch, cancel and resume a subscription through its provider (Stripe); each is recorded at once and confirmed by the webhook. */
export function subscriptionChangeRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/subscriptions/:id/switch/preview',
    {
      schema: {
        tags: ['subscriptions'],
        summary: 'What switching plans would charge now (prorated), line by line, and the renewal after it; changes nothing',
        params: idParam,
        body: withExample(z.object({ plan }).strict(), { plan: 'yearly' }),
        response: { 200: documented(previewJson, 'What the switch would charge now and the renewal after it', previewExample), ...errors },
      },
    },
    async (request) => {
      const preview = await previewPlanSwitch(ctx, request.params.id, request.body.plan);
      return {
        subscription: preview.subscriptionId,
        from_plan: preview.fromPlan,
        to_plan: preview.toPlan,
        amount_due: { amount_minor: preview.amountDue.amountMinor, currency: preview.amountDue.currency },
        proration_date: preview.prorationDate.toISOString(),
        lines: preview.lines.map((line) => ({ description: line.description, amount_minor: line.amountMinor, proration: line.proration, period_start: line.periodStart.toISOString(), period_end: line.periodEnd.toISOString() })),
        next_renewal: preview.nextRenewal ? { at: preview.nextRenewal.at.toISOString(), amount_minor: preview.nextRenewal.amountMinor, currency: preview.nextRenewal.currency } : null,
        ends_at: preview.endsAt?.toISOString() ?? null,
        credit_carried_forward: { amount_minor: preview.creditCarriedForward.amountMinor, currency: preview.creditCarriedForward.currency },
      };
    },
  );

  api.post(
    '/subscriptions/:id/switch',
    {
      schema: {
        tags: ['subscriptions'],
        summary: "Switch plans (monthly <-> yearly) with proration charged now; with the preview's proration_date the charge equals the preview",
        params: idParam,
        body: withExample(z.object({ plan, proration_date: z.iso.datetime().optional() }).strict(), { plan: 'yearly', proration_date: '2026-04-15T12:00:00.000Z' }),
        response: { 200: documented(switchedJson, 'The subscription on its new plan, and the invoice of the switch', switchedExample), ...errors },
      },
    },
    async (request) => {
      const { plan: planId, proration_date } = request.body;
      const switched = await switchPlan(ctx, { subscriptionId: request.params.id, planId, prorationDate: proration_date ? new Date(proration_date) : null }, request.actor);
      const invoice = switched.invoice;
      return {
        subscription: presentSubscription(switched.subscription),
        invoice: invoice
          ? { id: invoice.id, amount_due: { amount_minor: invoice.amountDueMinor, currency: invoice.currency }, amount_paid: { amount_minor: invoice.amountPaidMinor, currency: invoice.currency }, status: invoice.status }
          : null,
      };
    },
  );

  api.post(
    '/subscriptions/:id/cancel',
    {
      schema: {
        tags: ['subscriptions'],
        summary: 'Cancel at the end of the paid period (default) or now',
        params: idParam,
        body: withExample(z.object({ at: z.enum(['period_end', 'now']).optional().describe('default period_end') }).strict().nullish(), { at: 'period_end' }),
        response: { 200: documented(subscriptionJson, 'The subscription, set to cancel (or canceled)', { ...subscriptionExample, status: 'active', provider_status: 'active', cancel_at_period_end: true }), ...errors },
      },
    },
    async (request) => presentSubscription(await cancelSubscription(ctx, { subscriptionId: request.params.id, at: request.body?.at ?? 'period_end' }, request.actor)),
  );

  api.post(
    '/subscriptions/:id/resume',
    {
      schema: {
        tags: ['subscriptions'],
        summary: 'Undo a pending cancel at period end, or resume a paused subscription',
        params: idParam,
        body: withExample(z.object({}).strict().nullish(), {}),
        response: { 200: documented(subscriptionJson, 'The subscription, renewing again', { ...subscriptionExample, status: 'active', provider_status: 'active' }), ...errors },
      },
    },
    async (request) => presentSubscription(await resumeSubscription(ctx, request.params.id, request.actor)),
  );
}
