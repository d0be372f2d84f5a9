import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { paginate } from './catalog-routes.ts';
import { paypalIds } from './ids.ts';
import { money, toMinor } from './money.ts';
import { paypalErrors } from './paypal-errors.ts';
import type { BillingCycle, StoredPlan } from './paypal-state.ts';
import type { PaypalRuntime } from './runtime.ts';
import { idempotentPost, parseBody } from './wire.ts';

const moneyBody = z.object({ currency_code: z.string().regex(/^[A-Z]{3}$/), value: z.string().max(32) });

const cycleBody = z.object({
  tenure_type: z.enum(['TRIAL', 'REGULAR']),
  sequence: z.number().int().min(1).max(99),
  total_cycles: z.number().int().min(0).max(999).default(1),
  frequency: z.object({ interval_unit: z.enum(['DAY', 'WEEK', 'MONTH', 'YEAR']), interval_count: z.number().int().min(1).max(365).default(1) }),
  pricing_scheme: z.object({ fixed_price: moneyBody.optional() }).optional(),
});

const planBody = z.object({
  product_id: z.string().min(6).max(50),
  name: z.string().min(1).max(127),
  status: z.enum(['CREATED', 'ACTIVE', 'INACTIVE']).default('ACTIVE'),
  description: z.string().min(1).max(127).optional(),
  billing_cycles: z.array(cycleBody).min(1).max(12),
  payment_preferences: z
    .object({
      auto_bill_outstanding: z.boolean().default(true),
      setup_fee_failure_action: z.enum(['CONTINUE', 'CANCEL']).default('CANCEL'),
      payment_failure_threshold: z.number().int().min(0).max(999).default(0),
      setup_fee: moneyBody.optional(),
    })
    .default({ auto_bill_outstanding: true, setup_fee_failure_action: 'CANCEL', payment_failure_threshold: 0 }),
  quantity_supported: z.boolean().default(false),
});

/** Billing Plans v1 as PayPal writes one (`fixed_price` absent for a free trial written without a price). */
export function planObject(rt: PaypalRuntime, plan: StoredPlan): Record<string, unknown> {
  return {
    id: plan.id,
    product_id: plan.product_id,
    name: plan.name,
    status: plan.status,
    ...(plan.description ? { description: plan.description } : {}),
    usage_type: 'LICENSED',
    billing_cycles: plan.billing_cycles.map((cycle) => ({
      pricing_scheme: cycle.price === null ? {} : { version: 1, fixed_price: money(cycle.price, plan.currency), create_time: plan.create_time, update_time: plan.update_time },
      frequency: cycle.frequency,
      tenure_type: cycle.tenure_type,
      sequence: cycle.sequence,
      total_cycles: cycle.total_cycles,
    })),
    payment_preferences: {
      service_type: 'PREPAID',
      auto_bill_outstanding: plan.auto_bill_outstanding,
      setup_fee: money(0, plan.currency),
      setup_fee_failure_action: plan.setup_fee_failure_action,
      payment_failure_threshold: plan.payment_failure_threshold,
    },
    quantity_supported: false,
    create_time: plan.create_time,
    update_time: plan.update_time,
    links: [
      { href: `${rt.apiBase()}/v1/billing/plans/${plan.id}`, rel: 'self', method: 'GET', encType: 'application/json' },
      { href: `${rt.apiBase()}/v1/billing/plans/${plan.id}`, rel: 'edit', method: 'PATCH', encType: 'application/json' },
      { href: `${rt.apiBase()}/v1/billing/plans/${plan.id}/${plan.status === 'ACTIVE' ? 'deactivate' : 'activate'}`, rel: plan.status === 'ACTIVE' ? 'deactivate' : 'activate', method: 'POST', encType: 'application/json' },
    ],
  };
}

export function findPlan(rt: PaypalRuntime, id: string): StoredPlan {
  const plan = rt.data.plans[id];
  if (!plan) throw paypalErrors.notFound('plan');
  return plan;
}

export const regularCycle = (plan: StoredPlan): BillingCycle => plan.billing_cycles.find((cycle) => cycle.tenure_type === 'REGULAR')!;
export const trialCycle = (plan: StoredPlan): BillingCycle | undefined => plan.billing_cycles.find((cycle) => cycle.tenure_type === 'TRIAL');

function toCycles(cycles: z.output<typeof cycleBody>[]): { cycles: BillingCycle[]; currency: string } {
  const regular = cycles.filter((cycle) => cycle.tenure_type === 'REGULAR');
  if (regular.length !== 1) throw paypalErrors.unprocessable('INVALID_BILLING_CYCLE', 'A plan has exactly one REGULAR billing cycle (the emulator does not chain several).');
  if (cycles.filter((cycle) => cycle.tenure_type === 'TRIAL').length > 1) throw paypalErrors.unprocessable('INVALID_BILLING_CYCLE', 'The emulator supports one TRIAL billing cycle.');
  const sequences = cycles.map((cycle) => cycle.sequence).sort((a, b) => a - b);
  if (sequences.some((sequence, index) => sequence !== index + 1)) throw paypalErrors.unprocessable('INVALID_BILLING_CYCLE_SEQUENCE', 'Billing cycle sequences must start at 1 and be consecutive.');
  const currency = regular[0]!.pricing_scheme?.fixed_price?.currency_code;
  if (!currency) throw paypalErrors.unprocessable('PRICING_SCHEME_REQUIRED', 'The REGULAR billing cycle needs a fixed_price.');
  const out = cycles.map((cycle): BillingCycle => {
    const fixed = cycle.pricing_scheme?.fixed_price;
    if (fixed && fixed.currency_code !== currency) throw paypalErrors.unprocessable('CURRENCY_MISMATCH', 'Every billing cycle of a plan has the same currency.');
    const price = fixed ? toMinor(fixed.value, currency) : null;
    if (fixed && price === null) throw paypalErrors.invalidRequest([{ field: '/billing_cycles/pricing_scheme/fixed_price/value', location: 'body', issue: 'INVALID_PARAMETER_VALUE', description: 'The value of a field is invalid.' }]);
    return { tenure_type: cycle.tenure_type, sequence: cycle.sequence, total_cycles: cycle.tenure_type === 'TRIAL' ? Math.max(cycle.total_cycles, 1) : cycle.total_cycles, frequency: cycle.frequency, price };
  });
  return { cycles: out.sort((a, b) => a.sequence - b.sequence), currency };
}

/** Billing Plans v1: create, get, list (by product), activate, deactivate. */
export function registerPlanRoutes(api: FastifyInstance, rt: PaypalRuntime): void {
  idempotentPost(api, rt, '/v1/billing/plans', (request) => {
    const body = parseBody(planBody, request.body);
    if (!rt.data.products[body.product_id]) throw paypalErrors.notFound('product');
    const { cycles, currency } = toCycles(body.billing_cycles);
    const now = rt.nowIso();
    const plan: StoredPlan = {
      id: paypalIds.plan(),
      product_id: body.product_id,
      name: body.name,
      ...(body.description ? { description: body.description } : {}),
      status: body.status,
      currency,
      billing_cycles: cycles,
      auto_bill_outstanding: body.payment_preferences.auto_bill_outstanding,
      setup_fee_failure_action: body.payment_preferences.setup_fee_failure_action,
      payment_failure_threshold: body.payment_preferences.payment_failure_threshold,
      create_time: now,
      update_time: now,
    };
    rt.data.plans[plan.id] = plan;
    return { status: 201, body: planObject(rt, plan) };
  });

  api.get<{ Params: { id: string } }>('/v1/billing/plans/:id', async (request) => planObject(rt, findPlan(rt, request.params.id)));

  api.get<{ Querystring: { product_id?: string; page_size?: string; page?: string; total_required?: string } }>('/v1/billing/plans', async (request) => {
    const all = Object.values(rt.data.plans).filter((plan) => !request.query.product_id || plan.product_id === request.query.product_id);
    const { items, totalPages, total } = paginate(all, request.query);
    return {
      plans: items.map((plan) => {
        const full = planObject(rt, plan);
        return { id: plan.id, product_id: plan.product_id, name: plan.name, status: plan.status, ...(plan.description ? { description: plan.description } : {}), usage_type: 'LICENSED', create_time: plan.create_time, links: (full.links as unknown[]).slice(0, 1) };
      }),
      ...(request.query.total_required === 'true' ? { total_items: total, total_pages: totalPages } : {}),
      links: [{ href: `${rt.apiBase()}/v1/billing/plans`, rel: 'self', method: 'GET' }],
    };
  });

  for (const [action, from, to] of [['activate', ['CREATED', 'INACTIVE'], 'ACTIVE'], ['deactivate', ['ACTIVE'], 'INACTIVE']] as const) {
    idempotentPost(api, rt, `/v1/billing/plans/:id/${action}`, (request) => {
      const plan = findPlan(rt, (request.params as { id: string }).id);
      if (!(from as readonly string[]).includes(plan.status)) throw paypalErrors.unprocessable('PLAN_STATUS_INVALID', `Invalid plan status. The plan cannot be ${action}d in status ${plan.status}.`);
      plan.status = to;
      plan.update_time = rt.nowIso();
      return { status: 204 };
    });
  }
}
