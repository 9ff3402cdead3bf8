/**
 * The address classifier behind every outbound request made for a user: a table of
 * addresses that must be refused (every non-public range, and every IPv6 form that
 * wraps one, including the three from the security review) and public ones that must
 * pass; and the hosts URL parsing leaves for it to judge.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EnvReader } from '../../../src/config/env-reader.ts';
import { readNetworks } from '../../../src/config/networks.ts';
import { addressRange, inNetworks, isPublicAddress } from '../../../src/core/shared/ip-class.ts';

/** [address, the range it must be named by]. */
const REFUSED: [string, string][] = [
  // The review's findings: IPv4-compatible, NAT64 and 6to4 wrappings of 127.0.0.1.
  ['::127.0.0.1', 'ipv4Compatible'],
  ['64:ff9b::7f00:1', 'nat64(loopback)'],
  ['2002:7f00:1::', '6to4(loopback)'],
  // IPv4
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'linkLocal'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['100.127.255.255', 'carrierGradeNat'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.10', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['192.88.99.1', 'reserved'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  // IPv6 ranges
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['fe80::1', 'linkLocal'],
  ['fe80::1%eth0', 'linkLocal'],
  ['febf::1', 'linkLocal'],
  ['fec0::1', 'deprecatedSiteLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd12:3456::1', 'uniqueLocal'],
  ['ff02::1', 'multicast'],
  ['100::1', 'discard'],
  ['2001:db8::1', 'reserved'],
  ['3fff::1', 'reserved'],
  ['2001:2::1', 'benchmarking'],
  ['5f00::1', 'segmentRouting'],
  ['4000::1', 'unallocated'],
  ['1::1', 'unallocated'],
  // IPv4-mapped, -translated and -compatible forms
  ['::ffff:127.0.0.1', 'ipv4Mapped(loopback)'],
  ['::ffff:7f00:1', 'ipv4Mapped(loopback)'],
  ['::ffff:10.0.0.1', 'ipv4Mapped(private)'],
  ['::ffff:169.254.169.254', 'ipv4Mapped(linkLocal)'],
  ['::ffff:0.0.0.0', 'ipv4Mapped(unspecified)'],
  ['::ffff:0:127.0.0.1', 'rfc6145(loopback)'],
  ['::10.0.0.1', 'ipv4Compatible'],
  ['::8.8.8.8', 'ipv4Compatible'],
  // NAT64: the well-known prefix is unwrapped; the local-use /48 cannot be
  ['64:ff9b::127.0.0.1', 'nat64(loopback)'],
  ['64:ff9b::a9fe:a9fe', 'nat64(linkLocal)'],
  ['64:ff9b::c0a8:101', 'nat64(private)'],
  ['64:ff9b:1::7f00:1', 'nat64Local'],
  ['64:ff9b:1::808:808', 'nat64Local'],
  // 6to4: the IPv4 router address is bits 16-47
  ['2002:a00:1::1', '6to4(private)'],
  ['2002:a9fe:a9fe::', '6to4(linkLocal)'],
  ['2002::1', '6to4(unspecified)'],
  ['2002:6440:1::', '6to4(carrierGradeNat)'],
  // Teredo: server bits 32-63, client bits 96-127 inverted
  ['2001:0:7f00:1::', 'teredo(loopback)'],
  ['2001:0:808:808::80ff:fffe', 'teredo(loopback)'],
  ['2001:0:808:808::f5ff:fffe', 'teredo(private)'],
  // Not an address (as node:net reads one)
  ['', 'invalid'],
  ['localhost', 'invalid'],
  ['2130706433', 'invalid'],
  ['0x7f.1', 'invalid'],
  ['0177.0.0.1', 'invalid'],
  ['127.1', 'invalid'],
];

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.215.14',
  '100.63.255.255',
  '100.128.0.0',
  '172.15.255.255',
  '172.32.0.1',
  '192.167.255.255',
  '198.17.255.255',
  '198.20.0.1',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80e::200e',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '64:ff9b::1.1.1.1',
  '2002:808:808::1',
  '2001:0:808:808::f7f7:f7f7',
];

describe('addressRange', () => {
  for (const [address, range] of REFUSED) {
    test(`${address || '(empty)'} is refused as ${range}`, () => {
      assert.equal(addressRange(address), range);
      assert.equal(isPublicAddress(address), false);
    });
  }
  for (const address of PUBLIC) {
    test(`${address} is public`, () => {
      assert.equal(addressRange(address), 'unicast');
      assert.equal(isPublicAddress(address), true);
    });
  }
});

test('URL parsing turns numeric IPv4 spellings into the dotted address the classifier refuses', () => {
  const spellings = [
    'http://2130706433/',
    'http://0x7f.1/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://017700000001/',
    'http://127.1/',
    'http://0x7f.0x0.0x0.0x1/',
    'http://%31%32%37.0.0.1/',
    'http://１２７.0.0.1/',
    'http://127.0.0.1./',
  ];
  for (const url of spellings) {
    assert.equal(new URL(url).hostname, '127.0.0.1', url);
    assert.equal(addressRange(new URL(url).hostname), 'loopback', url);
  }
  assert.equal(new URL('http://0/').hostname, '0.0.0.0');
  assert.equal(new URL('http://[::127.0.0.1]/').hostname, '[::7f00:1]');
  assert.equal(new URL('http://[0:0:0:0:0:ffff:7f00:1]/').hostname, '[::ffff:7f00:1]');
  assert.throws(() => new URL('http://[fe80::1%25eth0]/'), 'no zone ids in URLs');
});

test('operator networks: CIDRs and single addresses; an IPv4-mapped address counts as its IPv4 form', () => {
  const read = new EnvReader({ NETS: '10.20.0.0/16, 127.0.0.2, fd00::/8' });
  const networks = readNetworks(read, 'NETS');
  assert.equal(inNetworks('10.20.3.4', networks), true);
  assert.equal(inNetworks('10.21.0.1', networks), false);
  assert.equal(inNetworks('127.0.0.2', networks), true);
  assert.equal(inNetworks('::ffff:127.0.0.2', networks), true);
  assert.equal(inNetworks('127.0.0.1', networks), false);
  assert.equal(inNetworks('fd00::5', networks), true);
  assert.equal(inNetworks('fe80::1', networks), false);
  for (const bad of ['0x7f.1', '10.0.0.0/33', '::/129', 'example.com', '10.0.0.0/x']) {
    assert.throws(() => readNetworks(new EnvReader({ NETS: bad }), 'NETS'), /NETS/, bad);
  }
});
