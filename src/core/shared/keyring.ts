/**
 * The process's keys: the JWT signing secret, the AES key for stored secrets, and a
 * key for signed URLs. Each comes from config or, when unset, from a file in the data
 * dir that is generated on first start (mode 0600), so an embedded install needs no
 * settings and keeps its sessions across restarts.
 */
import { createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.ts';
import { SecretBox } from './crypto.ts';

export interface Keyring {
  /** A KeyObject, so jose does not re-import the raw secret on every verification. */
  jwtKey: KeyObject;
  box: SecretBox;
  urlSigningKey: Uint8Array;
}

export function loadKeyring(config: Config): Keyring {
  const jwtSecret = config.auth.jwtSecret ?? readOrCreate(config.dataDir, 'jwt-secret');
  const secretKey = decodeKey(config.auth.secretKey ?? readOrCreate(config.dataDir, 'secret-key'));
  return {
    jwtKey: createSecretKey(Buffer.from(jwtSecret, 'utf8')),
    box: new SecretBox(secretKey, config.auth.previousSecretKeys.map(decodeKey)),
    // A separate key per purpose, derived so one setting covers both.
    urlSigningKey: new Uint8Array(
      hkdfSync('sha256', secretKey, Buffer.alloc(0), 'tasklane signed urls', 32),
    ),
  };
}

function readOrCreate(dataDir: string, name: string): string {
  const dir = path.join(dataDir, 'secrets');
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('base64url');
  try {
    // 'wx' fails if another process created it first; then we read theirs.
    fs.writeFileSync(file, value + '\n', { mode: 0o600, flag: 'wx' });
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fs.readFileSync(file, 'utf8').trim();
  }
}

/** Accepts 32 raw bytes as base64, base64url or hex; anything else is stretched with HKDF. */
function decodeKey(value: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  const decoded = Buffer.from(value, 'base64url');
  if (decoded.length === 32) return decoded;
  return Buffer.from(hkdfSync('sha256', value, Buffer.alloc(0), 'tasklane secret key', 32));
}
