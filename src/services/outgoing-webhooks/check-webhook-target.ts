import { isIP } from 'node:net';
import { classifyTargetAddress } from '../../domain/webhook-target-address.ts';
import type { OutgoingWebhooksContext } from './outgoing-webhooks-context.ts';

/** Where a delivery connects: the URL, and the one address that was checked (no second lookup). */
export type CheckedTarget = { url: URL; address: string; family: 4 | 6 };

export type TargetCheck = { ok: true; target: CheckedTarget } | { ok: false; code: 'webhook_target_forbidden' | 'webhook_target_unresolvable'; message: string };

/**
 * Resolves the URL's host and checks every address it has: one on loopback, a private network,
 * link-local (the metadata service), unspecified or any other special-purpose range
 * (classifyTargetAddress) refuses the target, unless private targets are allowed. Run when an endpoint is saved and again before each delivery, since DNS can change; the
 * delivery then connects to the address returned here.
 */
export async function checkWebhookTarget(ctx: Pick<OutgoingWebhooksContext, 'resolveHost' | 'allowPrivateTargets'>, rawUrl: string): Promise<TargetCheck> {
  const url = new URL(rawUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await ctx.resolveHost(host);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) return { ok: false, code: 'webhook_target_unresolvable', message: `the host "${host}" of the webhook URL does not resolve` };
  }
  if (!ctx.allowPrivateTargets) {
    for (const { address } of addresses) {
      const kind = classifyTargetAddress(address);
      if (kind) {
        return {
          ok: false,
          code: 'webhook_target_forbidden',
          message: `the webhook URL's host resolves to ${address}, a ${kind} address; recur posts only to public addresses (set WEBHOOK_ENDPOINTS_ALLOW_PRIVATE_TARGETS=on to allow it)`,
        };
      }
    }
  }
  const first = addresses[0]!;
  return { ok: true, target: { url, address: first.address, family: first.family === 6 ? 6 : 4 } };
}
