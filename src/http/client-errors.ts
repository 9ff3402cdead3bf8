/**
 * Requests Node's HTTP parser refuses before Fastify sees them: a request line or
 * headers past `maxHeaderSize`, a malformed request line, a request that did not arrive
 * within `requestTimeout`. Node emits 'clientError' with the socket; we answer with a
 * proper status line and a JSON body in the error shape of the surface that owns the
 * path, when the request line can be read, else AutoServe's (the root's owner).
 */
import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { DomainError } from '../core/errors.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import type { SurfaceDefinition } from './surface.ts';

interface ParserError extends Error {
  code?: string;
  /** The chunk the parser was reading when it gave up (Node sets it on parser errors). */
  rawPacket?: Buffer;
}

// A method, a space and an origin-form path: enough to find the owning mount.
const REQUEST_LINE = /^[A-Z]{1,16} (\/[^\s?#]*)/;
const SCAN_BYTES = 2048;
const CLOSE_GRACE_MS = 5000;

/** The core error for a parser failure; `line` is the request line as far as it was read. */
export function parserFailure(code: string | undefined, line: string | undefined): DomainError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      // Node counts the request line and the headers against one limit: when the line
      // alone takes more than half of it, the URL is what is too long.
      return line !== undefined && line.length > maxHeaderSize / 2
        ? new DomainError('uri_too_long', 'The request URL is too long')
        : new DomainError('headers_too_large', 'The request headers are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new DomainError('request_timeout', 'The request did not arrive in time');
    default:
      return new DomainError('bad_request', 'Malformed HTTP request');
  }
}

/** The server's 'clientError' handler (Fastify's `clientErrorHandler` option). */
export function clientErrorHandler(
  ownerOf: (path: string) => SurfaceDefinition,
  log: FastifyBaseLogger,
) {
  return function onClientError(error: Error, socket: Socket): void {
    // Fastify types rawPacket as JSON-serialised; Node hands over the Buffer itself.
    const { code, rawPacket } = error as ParserError;
    // A reset connection has nobody left to answer.
    if (code === 'ECONNRESET' || socket.destroyed) return;
    const packet = Buffer.isBuffer(rawPacket) ? rawPacket : undefined;
    const head = packet?.toString('latin1', 0, SCAN_BYTES) ?? '';
    const path = REQUEST_LINE.exec(head)?.[1];
    let line: string | undefined;
    if (path !== undefined && packet) {
      const end = packet.indexOf('\n');
      line = packet.toString('latin1', 0, end === -1 ? packet.length : end);
    }
    const id = randomUUID();
    const failure = parserFailure(code, line);
    log.debug({ err: error, reqId: id, path }, 'client error');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const { status, body } = ownerOf(path ?? '/').renderError(failure, { id });
    const json = JSON.stringify(body);
    const headers: Record<string, string | number> = {
      ...SECURITY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      'x-request-id': id,
      connection: 'close',
    };
    const headerLines = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    // end() sends the answer, then closes our side (destroying at once could reset the
    // connection before the client reads it). A client that never closes its side is
    // cut off after a grace period; anything more it sends is refused by the check above.
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headerLines}\r\n${json}`);
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    socket.once('close', () => clearTimeout(timer));
  };
}
