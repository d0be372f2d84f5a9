import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from '../../sandbox/paypal/crc32.ts';
import { createSigningAuthority } from '../../sandbox/paypal/signing-authority.ts';
import { activeSubscription } from '../../test/paypal/paypal-wire-samples.ts';

/** What a PayPal load generator needs to sign deliveries as PayPal does (written to a file for its process). */
export type PaypalSigner = { webhookId: string; certUrl: string; signingKeyPem: string };

/**
 * PayPal's side of the bench: a signing certificate issued by a root of the bench's own (the PayPal
 * sandbox's authority code), served on loopback at PayPal's certs path, as recur's offline
 * verifier fetches it once and then keeps it. recur trusts the root as a local sandbox's
 * (PAYPAL_SANDBOX_ROOT_CA_FILE), the floor reads the certificate from `certificateFile`.
 */
export async function startPaypalCertificateHost(): Promise<{
  signer: PaypalSigner;
  signerFile: string;
  apiBase: string;
  rootCaFile: string;
  certificateFile: string;
  stop(): Promise<void>;
}> {
  const authority = await createSigningAuthority(new Date(), 'bench0001');
  const dir = mkdtempSync(join(tmpdir(), 'recur-bench-paypal-'));
  const certPath = `/paypal/v1/notifications/certs/CERT-${authority.certId}`;
  const server = createServer((request, response) => {
    if (request.url === certPath) response.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(authority.signingCertificatePem);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signer: PaypalSigner = { webhookId: 'BENCHWEBHOOK0000000001', certUrl: `${origin}${certPath}`, signingKeyPem: authority.signingKeyPem };
  const files = { signerFile: join(dir, 'signer.json'), rootCaFile: join(dir, 'root-ca.pem'), certificateFile: join(dir, 'signing-certificate.pem') };
  writeFileSync(files.signerFile, JSON.stringify(signer), { mode: 0o600 });
  writeFileSync(files.rootCaFile, authority.rootCertificatePem);
  writeFileSync(files.certificateFile, authority.signingCertificatePem);
  return {
    signer,
    ...files,
    apiBase: `${origin}/paypal`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The body of one BILLING.SUBSCRIPTION.UPDATED event with PayPal's subscription sample as its
 * resource (about 1.5 KB), unique by `sequence`.
 */
export function paypalSubscriptionUpdatedBody(prefix: string, sequence: number, now: Date): string {
  const id = `WH-BENCH-${prefix}-${sequence}`;
  return JSON.stringify({
    id,
    event_version: '1.0',
    create_time: now.toISOString(),
    resource_type: 'subscription',
    resource_version: '2.0',
    event_type: 'BILLING.SUBSCRIPTION.UPDATED',
    summary: 'Subscription updated',
    resource: { ...activeSubscription, id: `I-BENCH${sequence % 500}` },
    links: [{ href: `https://api-m.paypal.com/v1/notifications/webhooks-events/${id}`, rel: 'self', method: 'GET' }],
  });
}

/** The headers PayPal sends with `body`, signed (SHA256withRSA over id|time|webhook id|crc32) at `now`. */
export function paypalHeaders(body: string, signer: PaypalSigner & { key: KeyObject }, transmissionId: string, now: Date): Record<string, string> {
  const time = now.toISOString();
  const message = `${transmissionId}|${time}|${signer.webhookId}|${crc32(Buffer.from(body, 'utf8'))}`;
  return {
    'paypal-auth-algo': 'SHA256withRSA',
    'paypal-cert-url': signer.certUrl,
    'paypal-transmission-id': transmissionId,
    'paypal-transmission-time': time,
    'paypal-transmission-sig': sign('sha256', Buffer.from(message), signer.key).toString('base64'),
  };
}

export const withKey = (signer: PaypalSigner): PaypalSigner & { key: KeyObject } => ({ ...signer, key: createPrivateKey(signer.signingKeyPem) });
