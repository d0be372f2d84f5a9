import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Which proxies may tell recur a client's address (X-Forwarded-For): no one (false), every hop
 * (true: only when nothing reaches recur but through a proxy that overwrites the header), or
 * proxies at these addresses. The address is what the rate limits of webhooks and API keys count
 * by. A hop count is refused: it cannot tell a proxy from a client who sends the header itself,
 * and Fastify ignores it (it trusts no one then).
 */
export type TrustProxy = boolean | string[];

const NAMED_RANGES: ReadonlySet<string> = new Set(['loopback', 'linklocal', 'uniquelocal']);
const EXPECTED = 'expected off, true, or the proxies\' addresses/CIDRs, comma-separated (such as 10.0.0.0/8,127.0.0.1 or loopback)';

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export const trustProxySetting = z
  .string()
  .trim()
  .transform((value, context): TrustProxy => {
    const lower = value.toLowerCase();
    if (lower === 'off' || lower === 'false') return false;
    if (lower === 'true') return true;
    if (/^\d+$/.test(value)) {
      context.addIssue({ code: 'custom', message: `a hop count cannot tell a proxy from a client; ${EXPECTED}` });
      return z.NEVER;
    }
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    if (entries.length === 0 || !entries.every(isAddressOrRange)) {
      context.addIssue({ code: 'custom', message: EXPECTED });
      return z.NEVER;
    }
    return entries;
  });
