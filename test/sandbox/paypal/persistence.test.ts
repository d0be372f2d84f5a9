import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { ROOT_CA_FILE } from '../../../sandbox/paypal/paypal-sandbox.ts';
import { accessToken, approveAs, eventsOf, linkOf, monthlyPlan, paypalCall, sandboxStart, signatureHolds, startPaypalSandbox, startWebhookListener } from './paypal-kit.ts';

const DAY = 86_400_000;
const directory = mkdtempSync(join(tmpdir(), 'recur-paypal-state-'));
// A directory that does not exist yet: the root certificate is written before the state's first save.
const stateFile = join(directory, 'not-yet', 'state.json');
let listener: Awaited<ReturnType<typeof startWebhookListener>>;
let sandbox: RunningSandbox | null = null;

afterAll(async () => {
  await sandbox?.stop();
  await listener?.close();
});

describe('PayPal sandbox: restart with a state file', () => {
  it('keeps objects, tokens, webhooks and the signing authority, and bills on after the restart', async () => {
    listener = await startWebhookListener();
    sandbox = await startPaypalSandbox({ stateFile });
    const token = await accessToken(sandbox.url);
    const webhook = await (await fetch(`${sandbox.url}/paypal/sandbox/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: listener.url('/paypal') }) })).json() as { id: string };
    const product = await paypalCall(sandbox.url, token, 'POST', '/v1/catalogs/products', { name: 'recur Pro', type: 'SERVICE' });
    const plan = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/plans', monthlyPlan(product.body.id as string, { trialDays: 30 }));
    const created = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', { plan_id: plan.body.id, application_context: { return_url: 'https://shop.example/r', cancel_url: 'https://shop.example/c' } }, { 'PayPal-Request-Id': 'persisted-create' });
    await approveAs(linkOf(created.body, 'approve'), 'pays@payers.recur.test');
    expect((sandbox.describe().providers as Record<string, { webhookId?: string }>).paypal!.webhookId).toBe(webhook.id);
    const root = await (await fetch(`${sandbox.url}/paypal/sandbox/root-ca.pem`)).text();
    expect(readFileSync(join(directory, 'not-yet', ROOT_CA_FILE), 'utf8')).toBe(root);
    const before = await paypalCall(sandbox.url, token, 'GET', `/v1/billing/subscriptions/${created.body.id as string}`);
    await sandbox.stop();
    sandbox = null;
    expect(existsSync(stateFile)).toBe(true);

    sandbox = await startPaypalSandbox({ stateFile, start: sandboxStart });
    // The token a client cached still works; the subscription reads the same (links aside: the port changed).
    const after = await paypalCall(sandbox.url, token, 'GET', `/v1/billing/subscriptions/${created.body.id as string}`);
    expect(after.status).toBe(200);
    expect({ ...after.body, links: null }).toEqual({ ...before.body, links: null });
    expect(await (await fetch(`${sandbox.url}/paypal/sandbox/root-ca.pem`)).text()).toBe(root);
    const replay = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', { plan_id: plan.body.id, application_context: { return_url: 'https://shop.example/r', cancel_url: 'https://shop.example/c' } }, { 'PayPal-Request-Id': 'persisted-create' });
    expect(replay.body.id).toBe(created.body.id);

    await sandbox.advance(new Date(sandboxStart.getTime() + 31 * DAY));
    await sandbox.ctx.webhooks.flush();
    const sale = listener.received.find((request) => JSON.parse(request.body).event_type === 'PAYMENT.SALE.COMPLETED');
    expect(sale).toBeDefined();
    expect(eventsOf([sale!])[0]!.resource.billing_agreement_id).toBe(created.body.id);
    expect(await signatureHolds(sale!, webhook.id, root)).toBe(true);
  });
});
