import type { Command } from 'commander';
import { listPlans } from '../services/plans/list-plans.ts';
import { loadConfigOrExit } from './cli-support.ts';

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
}
