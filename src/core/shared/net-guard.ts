/**
 * Outbound HTTP to a user-chosen URL without server-side request forgery: the host is
 * resolved once, every address it resolves to is checked (ip-class.ts), and the
 * connection is made to exactly those checked addresses. The HTTP client never does a
 * lookup of its own, so a DNS answer that changes between the check and the connection
 * (rebinding) cannot move the request onto an internal address. TLS still sends the
 * hostname as SNI and verifies the certificate against it. Redirects are not followed.
 */
import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import net from 'node:net';
import type { Readable } from 'node:stream';
import type { Network } from '../../config/networks.ts';
import { addressRange, inNetworks } from './ip-class.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a hostname resolves to; the system resolver in production. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The operating system's resolver (getaddrinfo: /etc/hosts, then DNS), as other clients see it. */
export const systemResolver: HostResolver = async (hostname) =>
  (await dns.lookup(hostname, { all: true, order: 'verbatim' })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));

/** Where a request may go. */
export interface NetPolicy {
  /** Skip the address check entirely (TASKLANE_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Non-public networks allowed all the same (an operator's internal receivers). */
  allowNetworks: readonly Network[];
  resolve: HostResolver;
}

/** The policy refuses this destination; retrying will not change that. */
export class DestinationRefused extends Error {
  override name = 'DestinationRefused';
}

/** The host did not resolve (may be temporary). */
export class HostUnresolved extends Error {
  override name = 'HostUnresolved';
}

/** A URL's host and the checked addresses a connection to it may use. */
export interface CheckedTarget {
  url: URL;
  /** The hostname without IPv6 brackets. */
  host: string;
  addresses: ResolvedAddress[];
}

/** Resolves the URL's host once and checks every address; throws DestinationRefused or HostUnresolved. */
export async function checkTarget(url: URL, policy: NetPolicy): Promise<CheckedTarget> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = net.isIP(host);
  let addresses: ResolvedAddress[];
  if (family !== 0) addresses = [{ address: host, family: family as 4 | 6 }];
  else {
    try {
      addresses = await policy.resolve(host);
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) throw new HostUnresolved(`host ${host} does not resolve`);
  }
  if (!policy.allowPrivate) {
    for (const { address } of addresses) {
      const range = addressRange(address);
      if (range !== 'unicast' && !inNetworks(address, policy.allowNetworks))
        throw new DestinationRefused(
          family === 0
            ? `${host} resolves to ${address}, a ${range} address`
            : `${host} is a ${range} address`,
        );
    }
  }
  return { url, host, addresses };
}

export interface GuardedRequest {
  method: string;
  headers?: Record<string, string>;
  /** Text, or bytes (a git upload-pack request). */
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

export interface GuardedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The caller reads or destroys it. */
  body: Readable;
}

/** Checks the URL's destination, then sends the request to the checked addresses only. */
export async function guardedFetch(
  url: URL,
  request: GuardedRequest,
  policy: NetPolicy,
): Promise<GuardedResponse> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new DestinationRefused('only http and https URLs can be requested');
  const target = await checkTarget(url, policy);
  return send(target, request);
}

function send(target: CheckedTarget, request: GuardedRequest): Promise<GuardedResponse> {
  const { url, host } = target;
  const client = url.protocol === 'https:' ? https : http;
  const headers = { ...request.headers };
  if (request.body !== undefined)
    headers['content-length'] = String(Buffer.byteLength(request.body));
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        method: request.method,
        host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers,
        // Never a pooled socket: it was connected to an address checked for another
        // request, possibly under another policy.
        agent: false,
        lookup: pinnedLookup(target.addresses),
        signal: request.signal,
      },
      (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
    );
    req.on('error', (error) =>
      reject(request.signal?.aborted ? (request.signal.reason as Error) : error),
    );
    req.end(request.body);
  });
}

/** A lookup that answers every query with the checked addresses and nothing else. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const wanted = addresses.filter((a) => !family || a.family === family);
    if (wanted.length === 0) {
      const error = Object.assign(new Error('no checked address of that family'), {
        code: 'ENOTFOUND',
      });
      callback(error, '', 0);
    } else if (options.all) callback(null, wanted);
    else callback(null, wanted[0]!.address, wanted[0]!.family);
  };
}
