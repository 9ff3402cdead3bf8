/**
 * Where a webhook may point. A destination that resolves to a private, loopback,
 * link-local or otherwise internal address is refused (SSRF) unless the operator sets
 * TASKLANE_WEBHOOK_ALLOW_PRIVATE. Checked when the webhook is saved and again before
 * each delivery (a DNS answer can change).
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import { DomainError } from '../errors.ts';

const BLOCKED = new net.BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(address, prefix, 'ipv4');
}
for (const [address, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(address, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const mapped = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  const family = net.isIP(mapped);
  if (family === 0) return true;
  return BLOCKED.check(mapped, family === 4 ? 'ipv4' : 'ipv6');
}

/** Parses and vets a destination URL; throws a validation error naming the problem. */
export async function checkDestination(url: string, allowPrivate: boolean): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refused('url must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw refused('url must use http or https');
  if (parsed.username || parsed.password) throw refused('url must not carry credentials');
  if (allowPrivate) return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.lookup(host, { all: true })).map((a) => a.address);
    } catch {
      throw refused(`url host ${host} does not resolve`);
    }
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw refused(
      `url points to a private or loopback address (${host}); set TASKLANE_WEBHOOK_ALLOW_PRIVATE=true to allow it`,
    );
  }
  return parsed;
}

function refused(message: string): DomainError {
  return new DomainError('validation', message, { field: 'url' }, [
    { location: ['body', 'url'], message, type: 'value_error.url' },
  ]);
}
