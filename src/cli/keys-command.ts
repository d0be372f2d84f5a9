import type { Command } from 'commander';
import { API_KEY_SCOPES, DEFAULT_API_KEY_SCOPE, isApiKeyScope } from '../domain/api-key-scope.ts';
import { createApiKeyOperation, listApiKeysOperation, revokeApiKeyOperation } from '../control/control-operations.ts';
import { CliError, EX_USAGE, loadConfigOrExit } from './cli-support.ts';
import { runControlOperation } from './run-control-operation.ts';

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('API keys (only their hashes are stored); beside a running `recur start` too');

  keys
    .command('create')
    .description('create an API key (admin unless --scope read) and print it once')
    .option('--name <name>', 'what the key is for, e.g. "webshop backend"', 'admin')
    .option('--scope <scope>', 'read (entitlement, customers, subscriptions, plans; for frontend servers) or admin (everything)', DEFAULT_API_KEY_SCOPE)
    .action(async (options: { name: string; scope: string }) => {
      const name = options.name.trim();
      if (name.length === 0 || name.length > 100) throw new CliError('--name must be 1 to 100 characters', EX_USAGE);
      const scope = options.scope.trim();
      if (!isApiKeyScope(scope)) throw new CliError(`--scope must be one of ${API_KEY_SCOPES.join(', ')} (got "${options.scope}")`, EX_USAGE);
      const created = await runControlOperation(createApiKeyOperation, { name, scope }, { config: loadConfigOrExit() });
      console.log(created.key);
      process.stderr.write(`created API key ${created.id} ("${created.name}"). It is shown only now; store it as a secret.\n`);
    });

  keys
    .command('list')
    .description('list API keys (prefix, scope, name, last use; never the key), newest first')
    .action(async () => {
      for (const key of await runControlOperation(listApiKeysOperation, {}, { config: loadConfigOrExit() })) {
        const state = key.revoked_at ? `revoked ${key.revoked_at}` : `last used ${key.last_used_at ?? 'never'}`;
        console.log(`${key.id}  ${key.key_prefix}…  ${key.scope.padEnd(5)}  ${key.name}  created ${key.created_at}  ${state}`);
      }
    });

  keys
    .command('revoke')
    .description('revoke an API key by its id')
    .argument('<id>', 'the key id shown by `recur keys list`')
    .action(async (id: string) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(`"${id}" is not a key id (a UUID from \`recur keys list\`)`, EX_USAGE);
      // An unknown or revoked id fails with "no active API key with id …" (exit 1).
      await runControlOperation(revokeApiKeyOperation, { id }, { config: loadConfigOrExit() });
      console.log(`revoked ${id}`);
    });
}
