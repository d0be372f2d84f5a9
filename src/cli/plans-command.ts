import type { Command } from 'commander';
import { createStripeClient } from '../providers/payments/stripe/create-stripe-client.ts';
import { createStripeGateway } from '../providers/payments/stripe/create-stripe-gateway.ts';
import { listPlans } from '../services/plans/list-plans.ts';
import { syncPlansToStripe } from '../services/sync/sync-plans-to-stripe.ts';
import { CliError, loadConfigOrExit } from './cli-support.ts';

const formatAmount = (minor: number, currency: string) => `${currency} ${(minor / 100).toFixed(2)}`;

export function registerPlansCommand(program: Command): void {
  const plans = program.command('plans').description('the plan catalogue (from recur.config.json or the built-in default)');
  plans
    .command('list')
    .description('print the configured plans')
    .option('--json', 'print JSON instead of a table')
    .action((options: { json?: boolean }) => {
      const config = loadConfigOrExit();
      const listing = listPlans({ config });
      if (options.json) {
        console.log(JSON.stringify(listing, null, 2));
        return;
      }
      for (const plan of listing) {
        const saving = plan.savingVersusMonthly ? `  saves ${formatAmount(plan.savingVersusMonthly.saving.amountMinor, plan.currency)} (${plan.savingVersusMonthly.monthsFree} months free)` : '';
        const providers = Object.entries(plan.providerPriceIds).map(([provider, id]) => `${provider}=${id}`).join(' ') || 'not synced to a provider yet';
        console.log(`${plan.id}  ${plan.name}  ${formatAmount(plan.amountMinor, plan.currency)} per ${plan.interval}  trial ${plan.trialDays} days${saving}  [${providers}]`);
      }
    });

  plans
    .command('sync')
    .description('find or create the Stripe product and price of every plan (running it twice creates nothing)')
    .action(async () => {
      const config = loadConfigOrExit();
      if (!config.STRIPE_SECRET_KEY) throw new CliError('STRIPE_SECRET_KEY is not set (and STRIPE_API_BASE for the sandbox)', 78);
      const gateway = createStripeGateway(createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }));
      for (const result of await syncPlansToStripe(gateway, config.catalogue.plans, config.DEFAULT_LOCALE)) {
        console.log(`${result.planId}  product ${result.productId} (${result.product})  price ${result.priceId} (${result.price})  lookup_key ${result.lookupKey}`);
      }
    });
}
