/** Settings that list IP networks (`10.20.0.0/16, fd00::/8, 192.0.2.7`), parsed once at start-up. */
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { ConfigError, type EnvReader } from './env-reader.ts';

/** A base address and prefix length; a bare address is a network of one. */
export type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Reads a comma-separated list of addresses or CIDR networks; a bad entry stops start-up. */
export function readNetworks(read: EnvReader, name: string): Network[] {
  return read.list(name).map((entry) => {
    const [address = '', prefix] = entry.split('/');
    // node:net's reading of an address, not ipaddr.js's laxer one (which takes `0x7f.1`).
    if (net.isIP(address) === 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix)))
      throw new ConfigError(`${name}: "${entry}" is not an IP address or CIDR network`);
    const ip = ipaddr.parse(address);
    const max = ip.kind() === 'ipv4' ? 32 : 128;
    const bits = prefix === undefined ? max : Number(prefix);
    if (bits > max) throw new ConfigError(`${name}: "${entry}" has a prefix longer than ${max}`);
    return [ip, bits];
  });
}
