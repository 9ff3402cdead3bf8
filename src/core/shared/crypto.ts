/**
 * Small cryptographic helpers: random tokens, fast hashes for high-entropy secrets,
 * AES-256-GCM for secrets we must show again, HMAC for signed URLs.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/** A URL-safe random token with the given prefix, e.g. `tl_…` for API keys. */
export function randomToken(prefix: string, bytes = 32): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 of a high-entropy token (API keys, refresh tokens). A slow hash buys nothing
 * for 256 random bits and would cost every request a few milliseconds.
 */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function hmacSha256(key: Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** AES-256-GCM with a random 96-bit nonce; output is `v1.<nonce>.<tag>.<ciphertext>` in base64url. */
export class SecretBox {
  // A KeyObject: building one from raw bytes on every call costs more than the cipher itself.
  readonly #key: KeyObject;
  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.#key = createSecretKey(key);
  }

  seal(plaintext: string, associatedData = ''): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', nonce, tag, body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string, associatedData = ''): string {
    const [version, nonce, tag, body] = sealed.split('.');
    if (version !== 'v1' || !nonce || !tag || body === undefined)
      throw new Error('Malformed sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}
