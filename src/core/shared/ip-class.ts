/**
 * Which addresses count as public: the one classifier behind every outbound request
 * the server makes for a user (webhooks, the agent's http_fetch, later git clones).
 *
 * Built on ipaddr.js's special-range tables (IANA's registries, maintained upstream),
 * plus the rules those tables leave to the caller: IPv6 forms that carry an IPv4 address
 * are judged by that IPv4 address, and IPv6 outside 2000::/3 (the only global unicast
 * space IANA has allocated) is never public.
 */
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Network } from '../../config/networks.ts';

/** ipaddr.js's name for an address in no special range. */
const PUBLIC = 'unicast';
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
/** RFC 6052's well-known NAT64 prefix; the IPv4 address is the last 32 bits. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');
/** RFC 4291's deprecated IPv4-compatible addresses (::a.b.c.d). */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/**
 * The range an address falls in: `unicast` for a public address, otherwise a name such
 * as `loopback`, `private`, `carrierGradeNat`, `reserved`, `6to4(loopback)`… Anything
 * that is not a plain IPv4 or IPv6 address (as node:net reads one) is `invalid`.
 */
export function addressRange(address: string): string {
  const ip = parseStrict(address);
  if (!ip) return 'invalid';
  return ip.kind() === 'ipv4' ? ip.range() : ipv6Range(ip as ipaddr.IPv6);
}

/**
 * Reads an address as the socket layer will, not as ipaddr.js's lenient parser does:
 * ipaddr.js takes `::127.0.0.1` for `::ffff:127.0.0.1` and `010.0.0.1` for 8.0.0.1, so
 * IPv4 must pass node:net's strict check and IPv6 is first rewritten in hex by the
 * WHATWG URL parser (a zone id, which only link-local addresses have, is dropped).
 */
function parseStrict(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const family = net.isIP(address);
  if (family === 4) return ipaddr.IPv4.parse(address);
  if (family !== 6) return undefined;
  try {
    const hex = new URL(`http://[${address.replace(/%.*$/, '')}]/`).hostname.slice(1, -1);
    return ipaddr.IPv6.parse(hex);
  } catch {
    return undefined;
  }
}

/** Whether a connection to this address stays on the public internet. */
export function isPublicAddress(address: string): boolean {
  return addressRange(address) === PUBLIC;
}

function ipv6Range(ip: ipaddr.IPv6): string {
  const range = ip.range();
  switch (range) {
    // ::ffff:a.b.c.d and ::ffff:0:a.b.c.d reach a.b.c.d.
    case 'ipv4Mapped':
    case 'rfc6145':
      return embedded(range, [ipv4At(ip, 6)]);
    case 'rfc6052':
      // The local-use prefix 64:ff9b:1::/48 puts the IPv4 address wherever the operator's
      // prefix length says (RFC 6052 §2.2): it cannot be unwrapped, so it is refused.
      return ip.match(NAT64_WELL_KNOWN) ? embedded('nat64', [ipv4At(ip, 6)]) : 'nat64Local';
    // 2002:AABB:CCDD::/48 is the 6to4 site behind the IPv4 router AA.BB.CC.DD.
    case '6to4':
      return embedded(range, [ipv4At(ip, 1)]);
    // 2001:0:SSSS:SSSS:…:CCCC:CCCC: Teredo server S and client C (stored inverted).
    case 'teredo':
      return embedded(range, [ipv4At(ip, 2), ipv4At(ip, 6, 0xffff)]);
    case PUBLIC:
      if (ip.match(GLOBAL_UNICAST)) return PUBLIC;
      return ip.match(IPV4_COMPATIBLE) ? 'ipv4Compatible' : 'unallocated';
    default:
      return range;
  }
}

/** The IPv4 address in parts[at] and parts[at + 1], XORed with `mask` per part. */
function ipv4At(ip: ipaddr.IPv6, at: number, mask = 0): ipaddr.IPv4 {
  const high = (ip.parts[at] ?? 0) ^ mask;
  const low = (ip.parts[at + 1] ?? 0) ^ mask;
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** Public only when every embedded IPv4 address is; otherwise names the first that is not. */
function embedded(form: string, inner: ipaddr.IPv4[]): string {
  for (const ipv4 of inner) {
    const range = ipv4.range();
    if (range !== PUBLIC) return `${form}(${range})`;
  }
  return PUBLIC;
}

/** Whether an address lies in one of the networks (an IPv4-mapped address as its IPv4 form). */
export function inNetworks(address: string, networks: readonly Network[]): boolean {
  const parsed = networks.length === 0 ? undefined : parseStrict(address);
  if (!parsed) return false;
  const ip =
    parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
      ? (parsed as ipaddr.IPv6).toIPv4Address()
      : parsed;
  return networks.some(([base, bits]) => base.kind() === ip.kind() && ip.match(base, bits));
}
