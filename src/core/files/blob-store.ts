/**
 * Content-addressed blobs on the filesystem under the data dir: a blob's name is its
 * SHA-256, so identical content is stored once and a blob never changes.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredBlob {
  sha256: string;
  size: number;
}

export class BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
    fs.mkdirSync(path.join(root, 'tmp'), { recursive: true, mode: 0o700 });
  }

  /** Stores bytes, a file (by path) or a stream; returns its hash and size. */
  async put(
    source: Buffer | string | { path: string } | Readable,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<StoredBlob> {
    const tmp = path.join(this.root, 'tmp', randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    try {
      if (Buffer.isBuffer(source) || typeof source === 'string') {
        const data = Buffer.isBuffer(source) ? source : Buffer.from(source);
        hash.update(data);
        size = data.length;
        fs.writeFileSync(tmp, data, { mode: 0o600 });
      } else {
        const input =
          'path' in source && typeof source.path === 'string' && !('pipe' in source)
            ? fs.createReadStream(source.path)
            : (source as Readable);
        await pipeline(
          input,
          async function* (chunks: AsyncIterable<Buffer>) {
            for await (const chunk of chunks) {
              size += chunk.length;
              if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
              hash.update(chunk);
              yield chunk;
            }
          },
          fs.createWriteStream(tmp, { mode: 0o600 }),
        );
      }
      const sha256 = hash.digest('hex');
      const final = this.path(sha256);
      fs.mkdirSync(path.dirname(final), { recursive: true });
      // Same content already stored: keep the existing blob.
      if (fs.existsSync(final)) fs.rmSync(tmp, { force: true });
      else fs.renameSync(tmp, final);
      return { sha256, size };
    } catch (error) {
      fs.rmSync(tmp, { force: true });
      throw error;
    }
  }

  path(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('bad blob hash');
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  open(sha256: string): fs.ReadStream {
    return fs.createReadStream(this.path(sha256));
  }

  read(sha256: string): Buffer {
    return fs.readFileSync(this.path(sha256));
  }
}

export class BlobTooLargeError extends Error {
  override name = 'BlobTooLargeError';
  constructor(limit: number) {
    super(`content exceeds ${limit} bytes`);
  }
}
