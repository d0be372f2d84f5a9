import { describe, expect, it } from 'vitest';
import { classifyTargetAddress } from '../../src/domain/webhook-target-address.ts';

describe('classifyTargetAddress', () => {
  it.each([
    ['8.8.8.8'],
    ['93.184.216.34'],
    ['198.17.255.255'],
    ['198.20.0.1'],
    ['2606:4700:4700::1111'],
    ['2a00:1450:4001::200e'],
    ['::ffff:8.8.8.8'],
    ['64:ff9b::808:808'],
    ['2002:808:808::1'],
  ])('lets the public address %s through', (address) => {
    expect(classifyTargetAddress(address)).toBeNull();
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.5', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.254', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fec0::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['ff0e::1', 'multicast'],
  ] as const)('refuses %s as %s', (address, kind) => {
    expect(classifyTargetAddress(address)).toBe(kind);
  });

  it.each([
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.1', 'documentation (TEST-NET-1)'],
    ['198.51.100.7', 'documentation (TEST-NET-2)'],
    ['203.0.113.10', 'documentation (TEST-NET-3)'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['240.0.0.1', 'reserved for future use'],
    ['255.255.255.255', 'limited broadcast'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['2001::1', 'Teredo'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo, a real-looking one'],
    ['64:ff9b:1::808:808', 'local-use NAT64: the translator is the operator\'s, the IPv4 position its choice'],
    ['::808:808', 'IPv4-compatible (deprecated), even with a public IPv4'],
    ['not-an-address', 'not an IP address'],
    ['0x7f.1', 'a shorthand IPv4 that nothing resolves to'],
  ])('refuses %s (%s) as reserved', (address) => {
    expect(classifyTargetAddress(address)).toBe('reserved');
  });

  // An IPv6 address that reaches an IPv4 one is judged as that IPv4 address, whatever form it is written in.
  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:0:a00:1', 'private'],
    ['::7f00:1', 'loopback'],
    ['::a9fe:a9fe', 'link-local'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::c0a8:105', 'private'],
    ['64:ff9b::c612:1', 'reserved'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a00:1:1::1', 'private'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2002:c000:201::1', 'reserved'],
  ] as const)('judges %s by the IPv4 address it carries: %s', (address, kind) => {
    expect(classifyTargetAddress(address)).toBe(kind);
  });
});
