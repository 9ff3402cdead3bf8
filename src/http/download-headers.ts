/**
 * Headers for serving a stored file (an artifact a task wrote, a file a user uploaded):
 * its content is chosen by whoever wrote it, and it is served from the API's origin. An
 * `.html` or `.svg` shown inline would run its scripts as us (stored XSS), so:
 * - only types that cannot script are shown inline (INLINE_TYPES); everything else,
 *   text/html and image/svg+xml above all, is `Content-Disposition: attachment`;
 * - `X-Content-Type-Options: nosniff`, so no browser second-guesses the type;
 * - `Content-Security-Policy: sandbox` with nothing allowed, so even a file a browser
 *   does render runs no script and has a unique, opaque origin.
 */

/** Content types shown inline (images a browser decodes, plain text, JSON). */
export const INLINE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'text/plain',
  'application/json',
]);

/** No scripts, no subresources, no forms, an opaque origin; inline styles for image views. */
export const DOWNLOAD_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

// type/subtype, then parameters such as charset: only what a header may safely carry.
const SAFE_CONTENT_TYPE = /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("[\w ./+-]*"|[\w.+-]+))*$/;

/** The content type to send: the stored one when it is well-formed, otherwise octet-stream. */
export function servedContentType(stored: string): string {
  return SAFE_CONTENT_TYPE.test(stored) ? stored : 'application/octet-stream';
}

/** Whether a file of this type may be displayed inline. */
export function isInlineType(contentType: string): boolean {
  const essence = contentType.split(';')[0]!.trim().toLowerCase();
  return INLINE_TYPES.has(essence);
}

/**
 * `Content-Disposition` per RFC 6266: a plain-ASCII `filename` for old clients and the
 * exact name as RFC 5987 `filename*` (UTF-8, percent-encoded).
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const base = name.split('/').pop() || 'download';
  const ascii = base.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(base).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Every header a stored file is served with (besides its length and caching). */
export function downloadHeaders(file: { name: string; contentType: string }) {
  const type = servedContentType(file.contentType);
  return {
    'content-type': type,
    'content-disposition': contentDisposition(
      isInlineType(type) ? 'inline' : 'attachment',
      file.name,
    ),
    'x-content-type-options': 'nosniff',
    'content-security-policy': DOWNLOAD_CSP,
  };
}
