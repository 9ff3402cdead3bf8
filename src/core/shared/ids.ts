/**
 * UUIDv7 (RFC 9562): time-ordered, so primary keys insert at the end of the index
 * and ids sort by creation.
 */
import { randomFillSync, randomInt } from 'node:crypto';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
let lastMs = 0;
let seq = 0;

/**
 * Random bytes are drawn from the CSPRNG 4 KiB at a time: a 16-byte randomBytes() per id
 * was a system call per id, 5% of the CPU of an authenticated request that logs itself.
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;
const bytes = Buffer.allocUnsafe(16);

function fillRandom16(): void {
  if (poolOffset + 16 > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  // The offset only moves forward: no bytes are handed out twice.
  pool.copy(bytes, 0, poolOffset, poolOffset + 16);
  poolOffset += 16;
}

export function uuidv7(nowMs: number = Date.now()): string {
  // Within one millisecond a 12-bit counter (rand_a) keeps ids monotonic in-process.
  if (nowMs > lastMs) {
    lastMs = nowMs;
    seq = randomInt(0, 0x800);
  } else if (++seq > 0xfff) {
    lastMs++;
    seq = 0;
  }
  fillRandom16();
  let ms = lastMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (seq >> 8);
  bytes[7] = seq & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let out = '';
  for (let i = 0; i < 16; i++) {
    out += HEX[bytes[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) out += '-';
  }
  return out;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for any RFC 9562 UUID string; ids from clients are checked before a query. */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
