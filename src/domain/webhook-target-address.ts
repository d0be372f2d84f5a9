import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** Why an address is not one recur posts to unless private targets are allowed. */
export type ForbiddenAddressKind = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

// The one table: ipaddr.js's range names (RFC 6890's special-purpose registries) to the kind
// recur reports. A range name not listed here and not 'unicast' is refused as reserved, so a range
// a newer ipaddr.js adds is refused until someone decides otherwise. The names that carry an IPv4
// address inside an IPv6 one are not here: embeddedIpv4 judges the IPv4 they carry.
const KIND_OF_RANGE: Record<string, ForbiddenAddressKind> = {
  unspecified: 'unspecified',
  loopback: 'loopback',
  // RFC 1918 and fc00::/7; carrier-grade NAT (100.64.0.0/10) is inside a provider's network and
  // the deprecated site-local fec0::/10 inside a site: as private as RFC 1918 for a server.
  private: 'private',
  carrierGradeNat: 'private',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'private',
  // Includes 169.254.169.254, the cloud metadata service.
  linkLocal: 'link-local',
  multicast: 'multicast',
};

/**
 * The IPv4 address an IPv6 one stands for, where the IPv6 network delivers to it: IPv4-mapped and
 * -translated (::ffff:a.b.c.d, ::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated), the
 * well-known NAT64 prefix 64:ff9b::/96 and 6to4 (2002:aabb:ccdd::/48). Undefined when it carries
 * none; null when it carries one recur cannot read reliably, so it is refused: Teredo (2001::/32:
 * the client's IPv4 is scrambled, and relays reach hosts behind NATs) and the local-use NAT64
 * prefix 64:ff9b:1::/48 (the operator's translator, with the IPv4 at a prefix length of its choice).
 */
function embeddedIpv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | null | undefined {
  const bytes = address.toByteArray();
  const last32 = () => new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === 'ipv4Mapped' || range === 'rfc6145') return last32();
  if (range === 'rfc6052') return address.match(ipaddr.IPv6.parse('64:ff9b::'), 96) ? last32() : null;
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  if (range === 'teredo') return null;
  // ::/96 beyond :: and ::1 (which range() names already): the deprecated IPv4-compatible form.
  if (range === 'unicast' && address.match(ipaddr.IPv6.parse('::'), 96)) return last32();
  return undefined;
}

function classify(address: Address): ForbiddenAddressKind | null {
  const range = address.range() as string;
  if (address.kind() === 'ipv6') {
    const ipv4 = embeddedIpv4(address as ipaddr.IPv6, range);
    if (ipv4 === null) return 'reserved';
    if (ipv4 !== undefined) {
      const kind = classify(ipv4);
      // A public IPv4 written in the deprecated compatible form is still not an address to post to.
      return kind ?? (range === 'unicast' ? 'reserved' : null);
    }
  }
  if (range === 'unicast') return null;
  return KIND_OF_RANGE[range] ?? 'reserved';
}

/**
 * The kind of address a webhook must not reach from a server on the internet (loopback, private
 * networks, link-local and the metadata service, unspecified, multicast, and every other
 * special-purpose range: documentation, benchmarking, 240.0.0.0/4, broadcast, ...), or null for a
 * public one. An IPv6 address that stands for an IPv4 one (::ffff:10.0.0.1, 64:ff9b::7f00:1,
 * 2002:7f00:1::) is judged as that IPv4 address; anything that is not an IP address is reserved.
 */
export function classifyTargetAddress(address: string): ForbiddenAddressKind | null {
  // Node's parser first: ipaddr.js also takes forms such as 0x7f.1 that nothing resolves to.
  if (!isIP(address)) return 'reserved';
  let parsed: Address;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    // Node took it for an address and ipaddr.js did not: refused on doubt, never posted to.
    return 'reserved';
  }
  return classify(parsed);
}
