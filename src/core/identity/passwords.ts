/**
 * Passwords: argon2id with OWASP's minimum parameters (19 MiB, t=2, p=1), run on
 * libuv's thread pool so hashing never blocks the event loop.
 */
import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id is an ambient const enum, which isolatedModules cannot read; 2 is its value.
const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS as never);
}

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/**
 * Spends the same time as a real check when there is no user, so response time does
 * not tell an attacker which usernames exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('tasklane-dummy-password');
  await verifyPassword(await dummyHash, password);
  return false;
}
