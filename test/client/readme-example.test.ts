import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { runDeliveryJob, testOutgoingWebhooks } from '../support/outgoing-webhooks.ts';
import { startShopReceiver } from '../support/shop-receiver.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { buildClientPackage, clientPackageDir, repoRoot, run, tsxLoader, typeCheck } from './client-package.ts';

const EXAMPLE = join(clientPackageDir, 'examples/shop-backend.ts');

/** The shop's side: calls one function of the example and prints its answer as JSON. */
const DRIVER = `import { mayUse, onRecurWebhook, startSubscription } from './shop-backend.ts';
const [command, ...args] = process.argv.slice(2);
const answer =
  command === 'start' ? await startSubscription(args[0]!, args[1]!)
  : command === 'may-use' ? await mayUse(args[0]!)
  : onRecurWebhook(process.env['BODY']!, JSON.parse(process.env['HEADERS']!) as Record<string, string>);
console.log(JSON.stringify(answer));
`;

const SHOP_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, allowImportingTsExtensions: true,
    skipLibCheck: true, types: ['node'], typeRoots: [join(repoRoot, 'node_modules/@types')],
  },
  include: ['*.ts'],
};

let shop: string;

/**
 * The README's integration example is the file it quotes; built the way a shop gets the package
 * (tsc into dist/, imported as `@recur/client` from node_modules), type-checked with the shop's
 * own settings, and run against a recur that listens on a port, with the Stripe sandbox.
 */
beforeAll(async () => {
  await buildClientPackage();
  shop = await mkdtemp(join(tmpdir(), 'recur-shop-'));
  await mkdir(join(shop, 'node_modules/@recur'), { recursive: true });
  await symlink(clientPackageDir, join(shop, 'node_modules/@recur/client'), 'dir');
  await copyFile(EXAMPLE, join(shop, 'shop-backend.ts'));
  await writeFile(join(shop, 'run.ts'), DRIVER);
  await writeFile(join(shop, 'tsconfig.json'), JSON.stringify(SHOP_TSCONFIG));
  await writeFile(join(shop, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }));
}, 180_000);
afterAll(() => rm(shop, { recursive: true, force: true }));

describe('the README integration example', () => {
  it('is the file the README quotes, word for word', async () => {
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
    const quoted = /<!-- quoted from packages\/client\/examples\/shop-backend\.ts -->\n```ts\n([\s\S]*?)```/.exec(readme);
    expect(quoted?.[1], 'README.md quotes packages/client/examples/shop-backend.ts in a ts block after its marker comment').toBe(await readFile(EXAMPLE, 'utf8'));
  });

  it('type-checks against the built package, as a shop compiles it', async () => {
    await typeCheck(shop);
  }, 120_000);
});

describe.each(testDatabaseKinds)('the README integration example against a running recur (%s)', (kind) => {
  let recur: RunningRecur;
  let receiver: Awaited<ReturnType<typeof startShopReceiver>>;
  // The shop's endpoint's secret, as recur shows it once at creation.
  let webhookSecret: string;
  const shopRun = async (args: string[], env: Record<string, string> = {}): Promise<unknown> => {
    const apiKey = recur.t.auth.replace(/^Bearer /, '');
    const { stdout } = await run(process.execPath, ['--import', tsxLoader, 'run.ts', ...args], {
      cwd: shop,
      env: { PATH: process.env['PATH'] ?? '', RECUR_URL: recur.baseUrl, RECUR_API_KEY: apiKey, RECUR_WEBHOOK_SECRET: webhookSecret, ...env },
    });
    return JSON.parse(stdout) as unknown;
  };

  beforeAll(async () => {
    recur = await startRunningRecur(kind);
    recur.t.ctx.outgoingWebhooks = testOutgoingWebhooks();
    receiver = await startShopReceiver();
    const endpoint = await fetch(`${recur.baseUrl}/v1/webhook-endpoints`, {
      method: 'POST',
      headers: { authorization: recur.t.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, event_types: ['entitlement.changed'] }),
    });
    expect(endpoint.status).toBe(201);
    webhookSecret = ((await endpoint.json()) as { secret: string }).secret;
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await recur?.close();
  });

  it('creates the customer, starts the checkout, and sees the entitlement once the customer paid', async () => {
    const checkoutUrl = (await shopRun(['start', 'shop-7001', 'lotte@example.nl'])) as string;
    expect(checkoutUrl.startsWith(recur.kit.sandbox.url)).toBe(true);
    expect(await shopRun(['may-use', 'shop-7001'])).toBe(false);

    // The customer's browser: the sandbox's hosted page, paid, then back through recur's return route.
    const paid = await fetch(checkoutUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card: 'pm_card_visa', action: 'pay' }).toString(), redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect((await fetch(paid.headers.get('location')!, { redirect: 'manual' })).status).toBe(303);

    expect(await shopRun(['may-use', 'shop-7001'])).toBe(true);
  }, 120_000);

  it('takes the entitlement.changed recur delivered to the shop, and refuses it altered or under another secret', async () => {
    await runDeliveryJob(recur.t);
    const delivered = receiver.accepted().map((request) => ({ body: request.body, headers: { 'webhook-id': String(request.headers['webhook-id']), 'webhook-timestamp': String(request.headers['webhook-timestamp']), 'webhook-signature': String(request.headers['webhook-signature']) } }));
    const take = (delivery: { body: string; headers: Record<string, string> }, secret = webhookSecret) => shopRun(['webhook'], { BODY: delivery.body, HEADERS: JSON.stringify(delivery.headers), RECUR_WEBHOOK_SECRET: secret });
    // Trialing from the checkout on: one change, entitled.
    expect(delivered).toHaveLength(1);
    expect(await take(delivered[0]!)).toEqual({ customer: 'shop-7001', entitled: true });
    await expect(take({ ...delivered[0]!, body: delivered[0]!.body.replace('"entitled":true', '"entitled":false') })).rejects.toThrow(/RecurWebhookError/);
    await expect(take(delivered[0]!, `whsec_${randomBytes(24).toString('base64')}`)).rejects.toThrow(/RecurWebhookError/);
  }, 120_000);
});
