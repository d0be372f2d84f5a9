import type { Plan } from '../../domain/plan.ts';
import { calculateYearlySaving, type YearlySaving } from '../../domain/yearly-saving.ts';
import type { ServiceContext } from '../service-context.ts';

export type PlanListing = Plan & { savingVersusMonthly: Extract<YearlySaving, { ok: true }> | null; trialOncePerCustomer: boolean };

/** The catalogue, with what each yearly plan saves against the monthly plan of its currency, and the trial rule. */
export function listPlans(ctx: Pick<ServiceContext, 'config'>): PlanListing[] {
  const plans = ctx.config.catalogue.plans;
  // A plan without trial days has no trial to give once.
  const trialOnce = (plan: Plan) => plan.trialDays > 0 && ctx.config.catalogue.trial_once_per_customer;
  return plans.map((plan) => {
    if (plan.interval !== 'year') return { ...plan, savingVersusMonthly: null, trialOncePerCustomer: trialOnce(plan) };
    const monthly = plans.find((candidate) => candidate.interval === 'month' && candidate.currency === plan.currency);
    const saving = monthly ? calculateYearlySaving(monthly, plan) : null;
    return { ...plan, savingVersusMonthly: saving?.ok ? saving : null, trialOncePerCustomer: trialOnce(plan) };
  });
}
