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
  return { plaintext, hash: hashApiKey(plaintext), ciphertext: box.seal(plaintext, aad(userUuid)) };
}

export function hashApiKey(plaintext: string): string {
  return sha256Hex(plaintext);
}

/** Opens the sealed copy; bound to the user so a copied ciphertext opens for nobody else. */
export function revealApiKey(
  box: SecretBox,
  userUuid: string,
  ciphertext: string | null,
): string | null {
  if (!ciphertext) return null;
  try {
    return box.open(ciphertext, aad(userUuid));
  } catch {
    return null;
  }
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX) && value.length > 20 && value.length < 100;
}

const aad = (userUuid: string) => `api-key:${userUuid}`;
