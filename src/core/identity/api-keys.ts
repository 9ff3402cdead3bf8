/**
 * API keys. Codeep shows a user's key in its responses, so each key is kept twice:
 * a SHA-256 hash for lookup, and an AES-GCM sealed copy for display. The plaintext is
 * never stored.
 */
import { randomToken, type SecretBox, sha256Hex } from '../shared/crypto.ts';

export const API_KEY_PREFIX = 'tl_';

export interface IssuedApiKey {
  plaintext: string;
  hash: string;
  ciphertext: string;
}

export function issueApiKey(box: SecretBox, userUuid: string): IssuedApiKey {
  const plaintext = randomToken(API_KEY_PREFIX);
  return {
    plaintext,
    hash: hashApiKey(plaintext),
    ciphertext: box.seal(plaintext, apiKeyAad(userUuid)),
  };
}

export function hashApiKey(plaintext: string): string {
  return sha256Hex(plaintext);
}

/**
 * Opened copies, per box, most recent last: Codeep returns the key with every profile
 * read, and an AES-GCM open per request was the largest single cost of `/auth/me`
 * (bench/README.md). Keyed by user and ciphertext, so a rotated or re-sealed key is a
 * new entry and a ciphertext copied to another user never matches; bounded, so memory
 * stays flat however many users there are.
 */
const REVEALED_MAX = 2000;
const revealed = new WeakMap<SecretBox, Map<string, string>>();

/** Opens the sealed copy; bound to the user so a copied ciphertext opens for nobody else. */
export function revealApiKey(
  box: SecretBox,
  userUuid: string,
  ciphertext: string | null,
): string | null {
  if (!ciphertext) return null;
  let cache = revealed.get(box);
  if (!cache) {
    cache = new Map();
    revealed.set(box, cache);
  }
  const key = `${userUuid}\n${ciphertext}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key); // move to the recent end
    cache.set(key, hit);
    return hit;
  }
  let plaintext: string;
  try {
    plaintext = box.open(ciphertext, apiKeyAad(userUuid));
  } catch {
    return null;
  }
  if (cache.size >= REVEALED_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, plaintext);
  return plaintext;
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX) && value.length > 20 && value.length < 100;
}

/** What a user's API key copy is bound to (its sealing's associated data). */
export const apiKeyAad = (userUuid: string) => `api-key:${userUuid}`;
