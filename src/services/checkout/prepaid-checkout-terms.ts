import type { Locale } from '../../db/repositories/customer-repository.ts';
import { givingTime, listPrepaidPeriodsOfCustomer } from '../../db/repositories/prepaid-period-repository.ts';
import { getPlanName, getPlanPrice, type Plan } from '../../domain/plan.ts';
import { LONGEST_PREPAID_DAYS, planPrepaidPeriod } from '../../domain/prepaid-period.ts';
import { formatAmount, formatDate } from '../../notifications/format-notice-values.ts';
import type { CheckoutPurchase } from '../../providers/payments/provider-objects.ts';
import { validationFailed } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';
import type { CheckoutTerms } from './checkout-terms.ts';

const UNIT: Record<Locale, Record<Plan['interval'], [string, string]>> = {
  nl: { month: ['maand', 'maanden'], year: ['jaar', 'jaar'] },
  en: { month: ['month', 'months'], year: ['year', 'years'] },
};

const WORDS: Record<Locale, { line: (plan: string, span: string) => string; submit: (total: string, span: string, until: string) => string }> = {
  nl: {
    line: (plan, span) => `${plan}: ${span} vooruitbetaald, zonder automatische verlenging`,
    submit: (total, span, until) => `Je betaalt eenmalig ${total} voor ${span}, tot ${until}. Dit wordt niet automatisch verlengd.`,
  },
  en: {
    line: (plan, span) => `${plan}: ${span} prepaid, without auto-renew`,
    submit: (total, span, until) => `You pay ${total} once for ${span}, until ${until}. It does not renew by itself.`,
  },
};

const spanOf = (plan: Plan, periods: number, locale: Locale): string => `${periods} ${UNIT[locale][plan.interval][periods === 1 ? 0 : 1]}`;

export type PrepaidCheckout = { terms: CheckoutTerms; purchase: Extract<CheckoutPurchase, { kind: 'one_time' }>; submitMessage: string };

/**
 * The terms of a one-time checkout: `periods` of the plan's interval at the plan's price each,
 * starting where the customer's running prepaid time ends (else now). Refused (400) when the end
 * falls past 730 days: auto-renew must later be able to start a trial until it.
 */
export async function buildPrepaidCheckout(ctx: ServiceContext, customer: { id: string; locale: Locale; timeZone: string | null }, plan: Plan, periods: number): Promise<PrepaidCheckout> {
  const now = ctx.clock.now();
  const existing = givingTime(await listPrepaidPeriodsOfCustomer(ctx.db, customer.id));
  const planned = planPrepaidPeriod(plan, periods, now, existing);
  if (planned.kind === 'too_far') {
    throw validationFailed(`${periods} ${plan.interval}(s) of plan "${plan.id}" would run until ${planned.endsAt.toISOString()}, past ${planned.latest.toISOString()}: prepaid time ends within ${LONGEST_PREPAID_DAYS} days, so auto-renew can later start a trial until it`);
  }
  const { period } = planned;
  const price = getPlanPrice(plan);
  const span = spanOf(plan, periods, customer.locale);
  const terms: CheckoutTerms = {
    planId: plan.id,
    price,
    interval: plan.interval,
    trialDays: 0,
    trialRefused: null,
    dueToday: period.amount,
    prepaid: { periods, startsAt: period.startsAt, until: period.endsAt },
  };
  const words = WORDS[customer.locale];
  return {
    terms,
    purchase: { kind: 'one_time', unitAmount: price, quantity: periods, description: words.line(getPlanName(plan, customer.locale), span) },
    submitMessage: words.submit(formatAmount(period.amount.amountMinor, period.amount.currency, customer.locale), span, formatDate(period.endsAt, customer.locale, customer.timeZone ?? ctx.config.DEFAULT_TIME_ZONE)),
  };
}
