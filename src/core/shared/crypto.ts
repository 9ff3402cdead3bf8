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

/**
 * AES-256-GCM with a random 96-bit nonce, under a keyring: one current key that seals,
 * and previous keys that still open what they sealed, so the key can be rotated
 * without losing a stored secret (docs/security.md: "Rotating the secret key").
 * Output: `v2.<key id>.<nonce>.<tag>.<ciphertext>` in base64url; the key id names the
 * key without revealing it. `v1.<nonce>.<tag>.<ciphertext>` (no key id, sealed before
 * key ids existed) still opens: the tag authenticates, so each key is tried.
 */
export class SecretBox {
  // KeyObjects: building one from raw bytes on every call costs more than the cipher itself.
  readonly #current: { id: string; key: KeyObject };
  readonly #byId = new Map<string, KeyObject>();

  constructor(key: Uint8Array, previous: readonly Uint8Array[] = []) {
    for (const k of [key, ...previous]) {
      if (k.length !== 32) throw new Error('SecretBox needs 32-byte keys');
      const id = keyId(k);
      if (!this.#byId.has(id)) this.#byId.set(id, createSecretKey(k));
    }
    const id = keyId(key);
    this.#current = { id, key: this.#byId.get(id)! };
  }

  /** The id of the key that seals now (what `resealSecrets` moves every value to). */
  get keyId(): string {
    return this.#current.id;
  }

  seal(plaintext: string, associatedData = ''): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, nonce);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v2', this.#current.id, nonce, tag, body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string, associatedData = ''): string {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const key = this.#byId.get(parts[1]!);
      if (!key) throw new Error(`Sealed with key ${parts[1]}, which this server does not hold`);
      return decrypt(key, parts[2]!, parts[3]!, parts[4]!, associatedData);
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      let failure: unknown;
      for (const key of this.#byId.values()) {
        try {
          return decrypt(key, parts[1]!, parts[2]!, parts[3]!, associatedData);
        } catch (error) {
          failure = error;
        }
      }
      throw failure;
    }
    throw new Error('Malformed sealed value');
  }

  /** True when a value is not sealed by the current key (a rotation should re-seal it). */
  isStale(sealed: string): boolean {
    return !sealed.startsWith(`v2.${this.#current.id}.`);
  }
}

/** A short public name for a key: the first 8 characters of a hash of it. */
function keyId(key: Uint8Array): string {
  return createHash('sha256')
    .update('tasklane key id\0')
    .update(key)
    .digest('base64url')
    .slice(0, 8);
}

function decrypt(
  key: KeyObject,
  nonce: string,
  tag: string,
  body: string,
  associatedData: string,
): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
  decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([
    decipher.update(Buffer.from(body, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}
