import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../../src/db/migrate.ts';
import { killSpawnedProcesses, runRecur, type RecurRun } from '../fixtures/recur-process.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

// What an operator sees: one line naming the problem, and an exit code a supervisor can act on.
const EX_CONFIG = 78;

let root: string;
let dirCount = 0;
/** A fresh working directory: no recur.config.json unless a test writes one. */
const freshDir = () => {
  const dir = join(root, `cwd-${++dirCount}`);
  mkdirSync(dir);
  return dir;
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'recur-cli-'));
});
afterEach(() => killSpawnedProcesses());
afterAll(() => rmSync(root, { recursive: true, force: true }));

function expectOneLineFailure(run: RecurRun, code: number): string {
  expect(run.code, run.stderr).toBe(code);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^recur: /);
  return lines[0]!;
}

describe('recur --help', () => {
  it('lists every command', async () => {
    const run = await runRecur(['--help'], { cwd: freshDir() });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: recur \[options\] \[command\]/);
    for (const command of ['start', 'migrate', 'keys', 'plans']) expect(run.stdout).toMatch(new RegExp(`\\n  ${command} +\\S`));
  });

  it.each<[string, string, string[]]>([
    ['start', 'run the service: HTTP API, webhooks and jobs', []],
    ['migrate', 'apply pending database migrations and exit', []],
    ['keys create', 'create an API key (admin unless --scope read) and print it once', ['--name <name>', '--scope <scope>']],
    ['keys list', 'list API keys (prefix, scope, name, last use; never the key)', []],
    ['keys revoke', 'revoke an API key by its id', ['<id>']],
    ['plans list', 'print the configured plans', ['--json']],
  ])('describes `recur %s`', async (command, description, mentions) => {
    const run = await runRecur([...command.split(' '), '--help'], { cwd: freshDir() });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: recur ${command} `));
    expect(run.stdout).toContain(description);
    for (const mention of mentions) expect(run.stdout).toContain(mention);
  });

});

describe('wrong usage of the real command: one line, exit 64, never the whole usage', () => {
  // Every command and every kind of mistake is in usage-errors.test.ts; these show the process.
  it.each<[string, string[], string]>([
    ['an unknown command', ['frobnicate'], "recur: unknown command 'frobnicate' (see `recur --help`)"],
    ['a group without its command', ['keys'], 'recur: missing command: create, list, revoke (see `recur keys --help`)'],
    ['a missing argument', ['keys', 'revoke'], "recur: missing required argument 'id' (see `recur keys revoke --help`)"],
    ['an unknown option of start', ['start', '--bogus'], "recur: unknown option '--bogus' (see `recur start --help`)"],
  ])('%s', async (_name, args, expected) => {
    const cwd = freshDir();
    expect(expectOneLineFailure(await runRecur(args, { cwd }), 64)).toBe(expected);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--help still prints the usage on stdout and exits 0', async () => {
    const run = await runRecur(['keys', 'revoke', '--help'], { cwd: freshDir() });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: recur keys revoke \[options\] <id>\n/);
  });
});

describe('invalid configuration stops before anything is opened', () => {
  const plan = { id: 'monthly', name: 'Monthly', interval: 'month', amountMinor: 2999, currency: 'EUR' };
  const cases: { name: string; args: string[]; env?: Record<string, string>; catalogue?: unknown; says: RegExp; hides?: string[] }[] = [
    { name: 'a PORT that is not a number', args: ['start'], env: { PORT: 'abc' }, says: /^recur: configuration error: PORT: expected a whole number .*"abc"/ },
    {
      name: 'a DATABASE_URL that is not PostgreSQL, without echoing it',
      args: ['migrate'],
      env: { DATABASE_URL: 'mysql://admin:s3cret@db.example.com/shop' },
      says: /^recur: configuration error: DATABASE_URL: expected a URL like postgres:/,
      hides: ['mysql', 's3cret', 'db.example.com'],
    },
    { name: 'an unknown LOG_LEVEL', args: ['migrate'], env: { LOG_LEVEL: 'loud' }, says: /^recur: configuration error: LOG_LEVEL: .*"loud"/ },
    { name: 'a RECUR_CONFIG_FILE that does not exist', args: ['plans', 'list'], env: { RECUR_CONFIG_FILE: 'no/such/plans.json' }, says: /^recur: configuration error: RECUR_CONFIG_FILE: file not found: .*no\/such\/plans\.json$/ },
    {
      name: 'a plan amount with a decimal point',
      args: ['migrate'],
      catalogue: { plans: [{ ...plan, amountMinor: 29.99 }] },
      says: /recur\.config\.json: plans\[0\]\.amountMinor: expected integer minor units .*29\.99/,
    },
    {
      name: 'two plans with one id',
      args: ['plans', 'list'],
      catalogue: { plans: [plan, { ...plan, name: 'Monthly again' }] },
      says: /recur\.config\.json: plans\[1\]\.id: duplicate plan id "monthly"/,
    },
    { name: 'an unknown plan field', args: ['plans', 'list'], catalogue: { plans: [{ ...plan, colour: 'red' }] }, says: /recur\.config\.json: plans\[0\]: Unrecognized key: "colour"/ },
  ];

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, { args, env, catalogue, says, hides = [] }) => {
    const cwd = freshDir();
    if (catalogue) writeFileSync(join(cwd, 'recur.config.json'), JSON.stringify(catalogue, null, 2));
    const line = expectOneLineFailure(await runRecur(args, { cwd, env }), EX_CONFIG);
    expect(line).toMatch(says);
    for (const secret of hides) expect(line).not.toContain(secret);
    // RECUR_DATA_DIR defaults to ./.recur: nothing was created, locked or migrated.
    expect(readdirSync(cwd).filter((entry) => entry !== 'recur.config.json')).toEqual([]);
  });

  it('refuses a key id that is not a UUID with one line', async () => {
    const cwd = freshDir();
    const line = expectOneLineFailure(await runRecur(['keys', 'revoke', 'not-a-uuid'], { cwd }), 64);
    expect(line).toBe('recur: "not-a-uuid" is not a key id (a UUID from `recur keys list`)');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('recur migrate on the embedded database', () => {
  it('applies every migration to a fresh directory, then finds it up to date', async () => {
    const cwd = freshDir();
    const env = { RECUR_DATA_DIR: join(cwd, 'data') };
    const names = listMigrations().map((migration) => migration.name);
    expect(names[0]).toBe('0001_core_tables');

    const first = await runRecur(['migrate'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`applied ${names.length} migration(s) to embedded PostgreSQL (PGlite) in ${join(cwd, 'data', 'pgdata')}: ${names.join(', ')}\n`);
    expect(existsSync(join(cwd, 'data', 'recur.lock'))).toBe(false);

    const second = await runRecur(['migrate'], { cwd, env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(`embedded PostgreSQL (PGlite) in ${join(cwd, 'data', 'pgdata')} is up to date\n`);
  });
});

describe('recur plans list', () => {
  it('prints the built-in plans with the yearly saving', async () => {
    const run = await runRecur(['plans', 'list'], { cwd: freshDir(), env: { SANDBOX: 'off' } });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^monthly +Monthly +EUR 29\.99 per month +trial 30 days +\[stripe: not checked \(no STRIPE_SECRET_KEY\)\]$/);
    expect(lines[1]).toMatch(/^yearly +Yearly +EUR 299\.90 per year +trial 30 days +saves EUR 59\.98 \(2 months free\)/);
  });

  it('prints the catalogue of recur.config.json in the working directory', async () => {
    const cwd = freshDir();
    const catalogue = { plans: [{ id: 'basic', name: 'Basic', interval: 'month', amountMinor: 500, currency: 'USD', providerPriceIds: { stripe: 'price_123' } }] };
    writeFileSync(join(cwd, 'recur.config.json'), JSON.stringify(catalogue));
    const run = await runRecur(['plans', 'list'], { cwd, env: { SANDBOX: 'off' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('basic  Basic  USD 5.00 per month  trial 0 days  [stripe: not checked (no STRIPE_SECRET_KEY); stripe=price_123 (configured)]\n');
  });
});

describe.runIf(testDatabaseKinds.includes('postgres'))('the CLI on PostgreSQL (DATABASE_URL)', () => {
  let database: TestDatabase;
  let cwd: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    cwd = freshDir();
    // DATABASE_URL wins: the embedded directory must stay untouched.
    env = { DATABASE_URL: database.url!, RECUR_DATA_DIR: join(cwd, 'embedded') };
  });
  afterAll(() => database?.dispose());

  it('finds the database up to date (it is a copy of the migrated template)', async () => {
    const run = await runRecur(['migrate'], { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    const { hostname, port, pathname } = new URL(database.url!);
    expect(run.stdout).toBe(`PostgreSQL at ${hostname}:${port || '5432'}${pathname} is up to date\n`);
    expect(existsSync(join(cwd, 'embedded'))).toBe(false);
  });

  it('creates, lists and revokes a key, storing only its hash', async () => {
    const created = await runRecur(['keys', 'create', '--name', 'webshop backend'], { cwd, env });
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^rk_[A-Za-z0-9_-]{43}$/);

    const rows = await database.db.query<{ id: string; name: string; key_prefix: string; key_hash: string; revoked_at: Date | null }>(
      'SELECT id, name, key_prefix, key_hash, revoked_at FROM api_keys',
    );
    expect(rows.rows).toHaveLength(1);
    const [row] = rows.rows;
    expect(row).toMatchObject({ name: 'webshop backend', revoked_at: null });
    expect(key.startsWith(row!.key_prefix)).toBe(true);
    expect(row!.key_hash).toBe(createHash('sha256').update(key).digest('hex'));

    const listed = await runRecur(['keys', 'list'], { cwd, env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${row!.id}  ${row!.key_prefix}…  admin  webshop backend  created \\S+  last used never\\n$`));
    expect(listed.stdout).not.toContain(key);

    const revoked = await runRecur(['keys', 'revoke', row!.id], { cwd, env });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toBe(`revoked ${row!.id}\n`);
    const after = await database.db.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM api_keys WHERE id = $1', [row!.id]);
    expect(after.rows[0]!.revoked_at).toBeInstanceOf(Date);

    const again = expectOneLineFailure(await runRecur(['keys', 'revoke', row!.id], { cwd, env }), 1);
    expect(again).toBe(`recur: no active API key with id ${row!.id}`);
    expect(existsSync(join(cwd, 'embedded'))).toBe(false);
  });
});
