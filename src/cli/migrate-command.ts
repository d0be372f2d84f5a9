import type { Command } from 'commander';
import { openStore } from '../runtime/open-store.ts';
import { systemClock } from '../shared/clock.ts';
import { loadConfigOrExit } from './cli-support.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations and exit (start does this too)')
    .action(async () => {
      const config = loadConfigOrExit();
      const store = await openStore(config, systemClock, 'migrate');
      try {
        const names = store.applied.map((migration) => migration.name);
        console.log(names.length > 0 ? `applied ${names.length} migration(s) to ${store.description}: ${names.join(', ')}` : `${store.description} is up to date`);
      } finally {
        await store.close();
      }
    });
}
