import type { Command } from 'commander';
import { buildPaypalOperations, buildStripeOperations } from '../runtime/build-payment-providers.ts';
import { systemClock } from '../shared/clock.ts';
import { listPlans } from '../services/plans/list-plans.ts';
import { readPlanPrices, type PlanPriceState } from '../services/plans/read-plan-prices.ts';
import { syncPlansToProvider } from '../services/sync/sync-plans-to-providers.ts';
import { CliError, loadConfigOrExit } from './cli-support.ts';
import { findPlanPriceSource } from './plan-price-source.ts';

const formatAmount = (minor: number, currency: string) => `${currency} ${(minor / 100).toFixed(2)}`;

export function registerPlansCommand(program: Command): void {
  const plans = program.command('plans').description('the plan catalogue (from recur.config.json or the built-in default)');
  plans
    .command('list')
    .description('print the configured plans')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfigOrExit();
      const listing = listPlans({ config });
      // The truth of "synced" is at the provider (checkout looks prices up there), not in the catalogue file.
      const source = await findPlanPriceSource(config);
      const prices = source.gateway ? await readPlanPrices(source.gateway, config.catalogue.plans).catch((error: unknown) => describeUnreachable(error)) : source.reason;
      if (options.json) {
        const where = source.gateway ? source.name : null;
        console.log(JSON.stringify(listing.map((plan) => ({ ...plan, stripe: typeof prices === 'string' ? { checked: false, reason: prices } : { checked: true, where, ...prices.get(plan.id) } })), null, 2));
        return;
      }
      if (source.gateway && typeof prices !== 'string') process.stderr.write(`prices as ${source.name} has them:\n`);
      for (const plan of listing) {
        const saving = plan.savingVersusMonthly ? `  saves ${formatAmount(plan.savingVersusMonthly.saving.amountMinor, plan.currency)} (${plan.savingVersusMonthly.monthsFree} months free)` : '';
        const configured = Object.entries(plan.providerPriceIds).map(([provider, id]) => `${provider}=${id} (configured)`);
        const stripe = typeof prices === 'string' ? `stripe: not checked (${prices})` : describePrice(prices.get(plan.id)!);
        console.log(`${plan.id}  ${plan.name}  ${formatAmount(plan.amountMinor, plan.currency)} per ${plan.interval}  trial ${plan.trialDays} days${saving}  [${[stripe, ...configured].join('; ')}]`);
      }
    });

  plans
    .command('sync')
    .description('find or create the product and price of every plan at Stripe and at PayPal, whichever is configured (running it twice creates nothing)')
    .action(async () => {
      const config = loadConfigOrExit();
      const paypal = buildPaypalOperations(config, systemClock);
      if (!config.STRIPE_SECRET_KEY && !paypal) throw new CliError('STRIPE_SECRET_KEY is not set (and STRIPE_API_BASE for the sandbox)', 78);
      if (config.STRIPE_SECRET_KEY) {
        const gateway = buildStripeOperations({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE });
        for (const result of await syncPlansToProvider(gateway, config.catalogue.plans, config.DEFAULT_LOCALE)) {
          console.log(`${result.planId}  product ${result.productId} (${result.product})  price ${result.priceId} (${result.price})  lookup_key ${result.lookupKey}`);
        }
      }
      if (paypal) {
        // PayPal's plan is found again by the lookup key in its description (docs/adr/0025).
        for (const result of await syncPlansToProvider(paypal, config.catalogue.plans, config.DEFAULT_LOCALE)) {
          console.log(`paypal ${result.planId}  product ${result.productId} (${result.product})  plan ${result.priceId} (${result.price})  description ${result.lookupKey}`);
        }
      }
    });
}

function describePrice(price: PlanPriceState): string {
  if (price.state === 'synced') return `stripe: ${price.priceId} (${price.lookupKey})`;
  if (price.state === 'differs') return `stripe: ${price.priceId} (${price.lookupKey}) differs from the catalogue: run \`recur plans sync\``;
  return `stripe: not synced (no price with lookup key ${price.lookupKey}): run \`recur plans sync\``;
}

const describeUnreachable = (error: unknown): string => `Stripe did not answer: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
