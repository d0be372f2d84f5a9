import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, recurBin, repoRoot, runRecur, spawnNode, startRecur, waitForExit, waitForOutput } from '../fixtures/recur-process.ts';

type SandboxInfo = { url: string; providers: Record<string, Record<string, unknown>> };

describe('recur sandbox and the sandbox beside recur start', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-sandbox-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await killSpawnedProcesses();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('runs alone, prints one JSON object a program can use, and stops on SIGINT', async () => {
    const sandbox = spawnNode([recurBin, 'sandbox', '--port', '0', '--json'], { cwd: repoRoot });
    const info = await waitForOutput(sandbox, () => (sandbox.stdout().endsWith('\n') ? (JSON.parse(sandbox.stdout()) as SandboxInfo) : null), 60_000);
    expect(Object.keys(info.providers).sort()).toEqual(['paypal', 'sendgrid', 'stripe', 'twilio']);
    expect(info.providers.sendgrid!.baseUrl).toBe(`${info.url}/sendgrid`);
    expect(info.providers.twilio!.baseUrl).toBe(`${info.url}/twilio`);
    expect(info.providers.paypal!.baseUrl).toBe(`${info.url}/paypal`);
    const paypal = info.providers.paypal as { clientId: string; clientSecret: string };
    const grant = await fetch(`${info.url}/paypal/v1/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${paypal.clientId}:${paypal.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(((await grant.json()) as { expires_in: number }).expires_in).toBe(32400);

    const stripe = new Stripe(info.providers.stripe!.apiKey as string, { ...(info.providers.stripe!.sdk as { host: string; port: number; protocol: 'http' }) });
    const customer = await stripe.customers.create({ email: 'anna@example.nl' });
    expect(customer.id).toMatch(/^cus_/);
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ email: 'anna@example.nl' });

    sandbox.child.kill('SIGINT');
    expect(await waitForExit(sandbox, 20_000)).toEqual({ code: 0, signal: null });
  });

  it('keeps its state in --state-file across a restart', async () => {
    const stateFile = join(tempDir(), 'sandbox.json');
    const start = async () => {
      const sandbox = spawnNode([recurBin, 'sandbox', '--port', '0', '--json', '--state-file', stateFile], { cwd: repoRoot });
      const info = await waitForOutput(sandbox, () => (sandbox.stdout().endsWith('\n') ? (JSON.parse(sandbox.stdout()) as SandboxInfo) : null), 60_000);
      const stripe = new Stripe(info.providers.stripe!.apiKey as string, { ...(info.providers.stripe!.sdk as { host: string; port: number; protocol: 'http' }) });
      return { sandbox, stripe };
    };
    const first = await start();
    const customer = await first.stripe.customers.create({ email: 'kept@example.nl' });
    first.sandbox.child.kill('SIGINT');
    expect(await waitForExit(first.sandbox, 20_000)).toEqual({ code: 0, signal: null });

    const second = await start();
    expect((await second.stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ email: 'kept@example.nl' });
    second.sandbox.child.kill('SIGINT');
    expect(await waitForExit(second.sandbox, 20_000)).toEqual({ code: 0, signal: null });
  });

  it('refuses a bad port with one line', async () => {
    const run = await runRecur(['sandbox', '--port', 'abc'], { cwd: repoRoot });
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')[0]).toMatch(/--port must be a whole number/);
  });

  it('starts beside a key-less `recur start`, which uses it for Stripe and says so; SANDBOX=off keeps it off', async () => {
    const dataDir = tempDir();
    const key = (await runRecur(['keys', 'create'], { cwd: dataDir, env: { RECUR_DATA_DIR: dataDir } })).stdout.trim();
    const withSandbox = await startRecur({ cwd: tempDir(), env: { RECUR_DATA_DIR: dataDir } });
    const sandboxUrl = /sandbox providers on (http:\/\/\S+)/.exec(withSandbox.stderr())?.[1];
    expect(sandboxUrl).toBeDefined();
    expect(withSandbox.stderr()).toContain('no keys configured for stripe, paypal, sendgrid, twilio: recur uses this sandbox for them');
    const control = (await (await fetch(`${sandboxUrl}/sandbox`)).json()) as { providers: Record<string, { webhookEndpoints?: { url: string }[] }> };
    expect(Object.keys(control.providers).sort()).toEqual(['paypal', 'sendgrid', 'stripe', 'twilio']);
    expect(control.providers.stripe!.webhookEndpoints!.map((endpoint) => endpoint.url)).toEqual([`${withSandbox.url}/webhooks/stripe`]);

    // The whole path is wired: a checkout through recur opens a session on the sandbox.
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const customer = await fetch(`${withSandbox.url}/v1/customers`, { method: 'POST', headers, body: JSON.stringify({ external_id: 'anna', email: 'anna@example.nl' }) });
    expect(customer.status).toBe(201);
    const checkout = await fetch(`${withSandbox.url}/v1/checkout`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ customer: 'anna', plan: 'yearly', provider: 'stripe', return_url: 'https://shop.example/account' }),
    });
    expect(checkout.status).toBe(201);
    expect(((await checkout.json()) as { url: string }).url.startsWith(`${sandboxUrl}/stripe/checkout/`)).toBe(true);
    expect(await withSandbox.stop('SIGINT')).toEqual({ code: 0, signal: null });
    await expect(fetch(`${sandboxUrl}/sandbox`)).rejects.toThrow();

    const without = await startRecur({ cwd: tempDir(), env: { RECUR_DATA_DIR: tempDir(), SANDBOX: 'off' } });
    expect(without.stderr()).toContain('sandbox off');
    expect(without.stderr()).not.toContain('sandbox providers on');
    expect(await without.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });
});
