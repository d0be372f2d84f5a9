import type { Command } from 'commander';
import { listApiKeys, revokeApiKey } from '../db/repositories/api-key-repository.ts';
import { openStore } from '../runtime/open-store.ts';
import { createApiKey } from '../services/api-keys/create-api-key.ts';
import { systemClock } from '../shared/clock.ts';
import { CliError, EX_USAGE, loadConfigOrExit } from './cli-support.ts';

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('admin API keys (only their hashes are stored)');

  keys
    .command('create')
    .description('create an admin API key and print it once')
    .option('--name <name>', 'what the key is for, e.g. "webshop backend"', 'admin')
    .action(async (options: { name: string }) => {
      const name = options.name.trim();
      if (name.length === 0 || name.length > 100) throw new CliError('--name must be 1 to 100 characters', EX_USAGE);
      const store = await openStore(loadConfigOrExit(), systemClock, 'keys create');
      try {
        const { key, record } = await createApiKey({ db: store.db, clock: systemClock }, name, 'cli');
        console.log(key);
        process.stderr.write(`created API key ${record.id} ("${record.name}"). It is shown only now; store it as a secret.\n`);
      } finally {
        await store.close();
      }
    });

  keys
    .command('list')
    .description('list API keys (prefix, name, last use; never the key)')
    .action(async () => {
      const store = await openStore(loadConfigOrExit(), systemClock, 'keys list');
      try {
        for (const key of await listApiKeys(store.db)) {
          const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : `last used ${key.lastUsedAt?.toISOString() ?? 'never'}`;
          console.log(`${key.id}  ${key.keyPrefix}…  ${key.name}  created ${key.createdAt.toISOString()}  ${state}`);
        }
      } finally {
        await store.close();
      }
    });

  keys
    .command('revoke')
    .description('revoke an API key by its id')
    .argument('<id>', 'the key id shown by `recur keys list`')
    .action(async (id: string) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(`"${id}" is not a key id (a UUID from \`recur keys list\`)`, EX_USAGE);
      const store = await openStore(loadConfigOrExit(), systemClock, 'keys revoke');
      try {
        if (!(await revokeApiKey(store.db, id, systemClock.now()))) throw new CliError(`no active API key with id ${id}`);
        console.log(`revoked ${id}`);
      } finally {
        await store.close();
      }
    });
}
