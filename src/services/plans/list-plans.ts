import type { Plan } from '../../domain/plan.ts';
import { calculateYearlySaving, type YearlySaving } from '../../domain/yearly-saving.ts';
import type { ServiceContext } from '../service-context.ts';

export type PlanListing = Plan & { savingVersusMonthly: Extract<YearlySaving, { ok: true }> | null };

/** The catalogue, with what each yearly plan saves against the monthly plan of its currency. */
export function listPlans(ctx: Pick<ServiceContext, 'config'>): PlanListing[] {
  const plans = ctx.config.catalogue.plans;
  return plans.map((plan) => {
    if (plan.interval !== 'year') return { ...plan, savingVersusMonthly: null };
    const monthly = plans.find((candidate) => candidate.interval === 'month' && candidate.currency === plan.currency);
    const saving = monthly ? calculateYearlySaving(monthly, plan) : null;
    return { ...plan, savingVersusMonthly: saving?.ok ? saving : null };
  });
}
